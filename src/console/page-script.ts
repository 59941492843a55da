/**
 * The live console's browser script (served inline by page.ts): follows /events (server-sent snapshots),
 * renders the tables, and for a chosen Call-ID draws its ladder as SVG (one column per address, an arrow
 * per message with its method or status and time); clicking an arrow shows the whole message.
 */
export const pageScript = String.raw`
const token = new URLSearchParams(location.search).get("token");
const q = (path) => path + (token ? (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : "");
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const secs = (ms) => (ms / 1000).toFixed(1);
const time = (ms) => ms ? new Date(ms).toISOString().slice(11, 23) : "-";
let selected = null;

function row(cells, callId) {
  const attrs = callId ? ' class="pick" data-call="' + esc(callId) + '"' : "";
  return "<tr" + attrs + ">" + cells.map((c) => "<td>" + esc(c) + "</td>").join("") + "</tr>";
}
function callRow(c, now) {
  const duration = c.answeredAt ? secs((c.endedAt ?? now) - c.answeredAt) : "-";
  return row([c.direction === "inbound" ? "in" : "out", c.caller, c.callee, c.endReason ?? c.state, duration, c.codec ?? "-",
    c.mos === undefined ? "-" : c.mos.toFixed(2), c.lossFraction === undefined ? "-" : (100 * c.lossFraction).toFixed(1) + "%"], c.callId);
}
function render(s) {
  $("active").innerHTML = s.active.map((c) => callRow(c, s.nowMs)).join("");
  $("recent").innerHTML = s.recent.map((c) => callRow(c, s.nowMs)).join("");
  $("nactive").textContent = s.active.length;
  $("dialogs").innerHTML = s.ladders.map((l) => row([time(l.lastAtMs), l.opening, l.messages, l.callId], l.callId)).join("");
  $("regs").innerHTML = s.registrations === undefined ? row(["not a registrar"])
    : s.registrations.map((b) => row([b.aor, b.contact, Math.max(0, Math.round((b.expiresAt - s.nowMs) / 1000)) + " s"])).join("");
  if (selected) loadLadder(selected);
}
let drawn = "";
document.addEventListener("click", (e) => {
  const tr = e.target.closest("tr.pick");
  if (tr && tr.dataset.call) { selected = tr.dataset.call; loadLadder(selected); }
});
async function loadLadder(callId) {
  const messages = await (await fetch(q("/api/ladder?callId=" + encodeURIComponent(callId)))).json();
  drawLadder(callId, messages);
}
function drawLadder(callId, messages) {
  // Redrawn only when it changed: a redraw under the pointer would swallow a click.
  if (drawn === callId + " " + messages.length) return;
  drawn = callId + " " + messages.length;
  $("ladder-title").textContent = "Ladder of " + callId;
  const parties = [];
  for (const m of messages) for (const p of [m.from, m.to]) if (!parties.includes(p)) parties.push(p);
  const col = (p) => 120 + parties.indexOf(p) * 260, t0 = messages.length ? messages[0].atMs : 0;
  const h = 60 + messages.length * 34;
  let svg = '<svg xmlns="http://www.w3.org/2000/svg" width="' + (parties.length * 260 + 40) + '" height="' + h + '">';
  svg += '<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z"/></marker></defs>';
  parties.forEach((p) => { svg += '<text x="' + col(p) + '" y="20" text-anchor="middle" class="party">' + esc(p) + '</text><line x1="' + col(p) + '" y1="28" x2="' + col(p) + '" y2="' + h + '" class="life"/>'; });
  messages.forEach((m, i) => {
    const y = 50 + i * 34, x1 = col(m.from), x2 = col(m.to);
    const label = m.firstLine.startsWith("SIP/2.0 ") ? m.firstLine.slice(8) : m.firstLine.split(" ")[0];
    svg += '<g class="msg" data-index="' + i + '"><line x1="' + x1 + '" y1="' + y + '" x2="' + x2 + '" y2="' + y + '" marker-end="url(#arrow)"/>';
    svg += '<line class="hit" x1="' + x1 + '" y1="' + y + '" x2="' + x2 + '" y2="' + y + '"/>';
    svg += '<text x="' + (x1 + x2) / 2 + '" y="' + (y - 5) + '" text-anchor="middle" class="label">' + esc(label) + '</text>';
    svg += '<text x="8" y="' + (y + 4) + '" class="when">+' + ((m.atMs - t0) / 1000).toFixed(3) + '</text></g>';
  });
  $("ladder").innerHTML = svg + "</svg>";
  $("ladder").querySelectorAll("g.msg").forEach((g) => g.addEventListener("click", () => {
    $("message").textContent = messages[Number(g.dataset.index)].text;
  }));
}
const events = new EventSource(q("/events"));
events.onmessage = (e) => render(JSON.parse(e.data));
events.onerror = () => { $("status").textContent = "disconnected: retrying"; };
events.onopen = () => { $("status").textContent = "live"; };
`
