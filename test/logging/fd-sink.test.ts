/**
 * The fd sink writes off the event loop, one write at a time, in order; what is not written yet counts as
 * pending; whenDrained calls back once everything is out.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fdSink } from "../../src/logging/fd-sink.ts"

describe("fdSink", () => {
  it("writes every chunk in order without blocking the caller, and reports what is still pending", async () => {
    const file = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "fd-sink-")), "log")
    const fd = Fs.openSync(file, "w")
    try {
      const sink = fdSink(fd)
      const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${"x".repeat(100)}\n`)
      for (const line of lines) sink.write(line)
      // Nothing has been written synchronously: the writes run on libuv's thread pool.
      expect(sink.pendingBytes()).toBeGreaterThan(0)
      await new Promise<void>((resolve) => sink.whenDrained(resolve))
      expect(sink.pendingBytes()).toBe(0)
      expect(Fs.readFileSync(file, "utf8")).toBe(lines.join(""))
    } finally {
      Fs.closeSync(fd)
    }
  })

  it("counts bytes, not characters, and calls back at once when idle", async () => {
    const file = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "fd-sink-")), "log")
    const fd = Fs.openSync(file, "w")
    try {
      const sink = fdSink(fd)
      let called = false
      sink.whenDrained(() => (called = true))
      expect(called).toBe(true)
      sink.write("µ-law\n")
      expect(sink.pendingBytes()).toBe(7)
      await new Promise<void>((resolve) => sink.whenDrained(resolve))
      expect(Fs.readFileSync(file, "utf8")).toBe("µ-law\n")
    } finally {
      Fs.closeSync(fd)
    }
  })
})
