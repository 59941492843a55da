/**
 * The live console page (GET /): calls in progress, recent calls, captured dialogs with their ladders,
 * registrations. One self-contained document (no external assets), its script in page-script.ts.
 */
import { pageScript } from "./page-script.ts"

const style = `
body { font: 13px system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; } h2 { font-size: 15px; margin-top: 22px; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: left; }
tr.pick { cursor: pointer; } tr.pick:hover { background: #eef; }
#status { color: #080; font-weight: bold; }
svg line.life { stroke: #bbb; stroke-dasharray: 4 3; } svg g.msg line { stroke: #236; stroke-width: 1.5; }
svg g.msg { cursor: pointer; } svg g.msg:hover line { stroke: #c30; }
svg line.hit { stroke: transparent !important; stroke-width: 14; }
svg text.party { font-weight: bold; } svg text.label { fill: #123; } svg text.when { fill: #777; font-size: 11px; }
pre#message { background: #f6f6f6; padding: 8px; max-height: 320px; overflow: auto; }
`

const table = (id: string, headers: ReadonlyArray<string>) =>
  `<table><thead><tr>${headers.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody id="${id}"></tbody></table>`

const callHeaders = ["dir", "caller", "callee", "state", "secs", "codec", "MOS", "loss"]

export const consolePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>effect-sip console</title><style>${style}</style></head>
<body>
<h1>effect-sip console <span id="status">connecting…</span></h1>
<h2>Calls in progress (<span id="nactive">0</span>)</h2>${table("active", callHeaders)}
<h2>Recent calls</h2>${table("recent", callHeaders)}
<h2>Captured dialogs (click for the ladder)</h2>${table("dialogs", ["last", "opened with", "messages", "Call-ID"])}
<h2 id="ladder-title">Ladder</h2><div id="ladder"></div><pre id="message">click an arrow to see the message</pre>
<h2>Registrations</h2>${table("regs", ["AOR", "contact", "expires in"])}
<script>${pageScript}</script>
</body></html>`
