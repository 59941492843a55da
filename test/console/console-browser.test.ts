/**
 * The live console in a real browser (Debian's chromium, headless, through puppeteer-core): while SIPp
 * holds calls, the page lists them as calls in progress; once they end, a click on a recent call draws its
 * ladder, whose arrows are the call's messages in order (INVITE, 180, 200, ACK, BYE, 200), and a click on
 * an arrow shows the whole message. The token guards the page. A screenshot is kept in .ci/results/.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import puppeteer, { type Browser } from "puppeteer-core"
import { freePorts } from "../api/sipp-ports.ts"
import { freePort, type RunningExample, startScript } from "../support/example-process.ts"
import { runProcess, sippPath } from "../support/run-process.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const artifacts = Path.join(root, ".ci", "results")
const rtpBase = 41000 + 2 * Math.floor(Math.random() * 400)
let server: RunningExample
let browser: Browser
let sipPort: number
let httpPort: number

beforeAll(async () => {
  sipPort = await freePort()
  httpPort = await freePort()
  server = await startScript([
    "src/main.ts", "--gc", "incremental", "--host", "127.0.0.1", "--port", String(sipPort), "--rtp-ports", `${rtpBase}-${rtpBase + 19}`,
    "--media", "silence", "--mode", "ring-then-answer", "--answer-delay", "300", "--http-port", String(httpPort), "--http-token", "tok"
  ], "listening on")
  browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  expect(await server.stop()).not.toBe("hung")
})

describe("the live console in Chromium", () => {
  it("shows calls in progress, then a finished call's ladder in order, and a message on click", async () => {
    const denied = await fetch(`http://127.0.0.1:${httpPort}/`)
    expect(denied.status).toBe(401)

    const page = await browser.newPage()
    await page.setViewport({ width: 1200, height: 1000 })
    await page.goto(`http://127.0.0.1:${httpPort}/?token=tok`)
    await page.waitForFunction(`document.getElementById("status").textContent === "live"`, { timeout: 15_000 })

    const [local, media] = freePorts(2)
    const sipp = runProcess(sippPath, [
      `127.0.0.1:${sipPort}`, "-sn", "uac", "-d", "3000", "-m", "2", "-r", "10", "-i", "127.0.0.1", "-p", String(local),
      "-mp", String(media), "-nostdin", "-timeout", "30s", "-timeout_error"
    ], 45_000)
    await page.waitForFunction(`document.querySelectorAll("#active tr").length === 2`, { timeout: 15_000 })
    const live: Array<string | null> = await page.$$eval("#active tr td:nth-child(4)", (cells: Array<{ readonly textContent: string | null }>) => cells.map((c) => c.textContent))
    expect(live.every((state) => state === "Active" || state === "Ringing")).toBe(true)
    const result = await sipp
    expect(result.code, result.output).toBe(0)

    await page.waitForFunction(`document.querySelectorAll("#recent tr").length === 2`, { timeout: 15_000 })
    expect(await page.$$eval("#active tr", (rows: ReadonlyArray<unknown>) => rows.length)).toBe(0)
    await page.click("#recent tr.pick")
    await page.waitForFunction(`document.querySelectorAll("#ladder g.msg").length >= 6`, { timeout: 10_000 })
    const labels = await page.$$eval("#ladder text.label", (texts: Array<{ readonly textContent: string | null }>) => texts.map((t) => t.textContent))
    expect(labels).toEqual(["INVITE", "180 Ringing", "200 OK", "ACK", "BYE", "200 OK"])

    // A real mouse click on the middle of the first arrow (a horizontal line has no box to click by selector).
    const { x, y } = await page.evaluate(`(() => {
      const line = document.querySelector("#ladder g.msg line"), box = document.querySelector("#ladder svg").getBoundingClientRect()
      return { x: box.left + (Number(line.getAttribute("x1")) + Number(line.getAttribute("x2"))) / 2, y: box.top + Number(line.getAttribute("y1")) }
    })()`) as { x: number; y: number }
    await page.mouse.click(x, y)
    await page.waitForFunction(`document.getElementById("message").textContent.startsWith("INVITE sip:")`, { timeout: 5_000 })

    Fs.mkdirSync(artifacts, { recursive: true })
    await page.screenshot({ path: Path.join(artifacts, "console.png"), fullPage: true })
    expect(Fs.statSync(Path.join(artifacts, "console.png")).size).toBeGreaterThan(10_000)
  }, 90_000)
})
