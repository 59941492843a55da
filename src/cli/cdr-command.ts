/**
 * `effect-sip cdr --since 1h [--json] [--data-dir DIR | --cdr-database postgres://…]`: the call detail
 * records of calls that ended in that window, oldest first, as a table or one JSON object per line.
 */
import { Console, Duration, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import type { Cdr } from "../cdr/cdr.ts"
import { CdrStore } from "../cdr/cdr.ts"
import { CdrSql } from "../cdr/cdr-sql.ts"
import { FlagError } from "./server-flags.ts"

export const cdrFlags = {
  since: Flag.String("since").pipe(Flag.withDescription("How far back: 30s, 15m, 1h, 2d"), Flag.withDefault("1h")),
  json: Flag.Boolean("json").pipe(Flag.withDescription("One JSON object per line instead of a table"), Flag.withDefault(false)),
  dataDir: Flag.String("data-dir").pipe(Flag.withDescription("Directory of cdr.db (the server's --data-dir)"), Flag.withDefault("./effect-sip-data")),
  cdrDatabase: Flag.String("cdr-database").pipe(Flag.withDescription("postgres://… : read the records there"), Flag.optional),
  limit: Flag.Int("limit").pipe(Flag.withDescription("At most this many records"), Flag.withDefault(10_000))
} as const

const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** "90s", "15m", "1h", "2d" → milliseconds; a FlagError for anything else. */
export const parseSince = (value: string): number => {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim())
  if (match === null) throw new FlagError({ message: `--since: expected a number and s, m, h or d (e.g. 1h), got "${value}"` })
  return Number(match[1]) * units[match[2]]
}

const time = (ms: number | undefined) => (ms === undefined ? "-" : new Date(ms).toISOString().replace("T", " ").slice(0, 19))
const fixed = (n: number | undefined, digits: number) => (n === undefined ? "-" : n.toFixed(digits))

const columns: ReadonlyArray<readonly [string, (c: Cdr) => string]> = [
  ["ended", (c) => time(c.endedAt)],
  ["dir", (c) => (c.direction === "inbound" ? "in" : "out")],
  ["caller", (c) => c.caller],
  ["callee", (c) => c.callee],
  ["answered", (c) => time(c.answeredAt)],
  ["secs", (c) => fixed(c.durationSeconds, 1)],
  ["reason", (c) => (c.status === undefined ? c.endReason : `${c.endReason} ${c.status}`)],
  ["codec", (c) => c.codec ?? "-"],
  ["mos", (c) => fixed(c.mos, 2)],
  ["loss%", (c) => fixed(c.lossFraction === undefined ? undefined : 100 * c.lossFraction, 1)],
  ["call-id", (c) => c.callId || "-"]
]

export const formatTable = (records: ReadonlyArray<Cdr>): string => {
  const rows = [columns.map(([name]) => name), ...records.map((r) => columns.map(([, cell]) => cell(r)))]
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n")
}

export const cdrCommand = Command.make("cdr", cdrFlags, (flags) =>
  Effect.gen(function*() {
    const sinceMs = yield* Effect.try({ try: () => parseSince(flags.since), catch: (e) => e as FlagError })
    const store = Option.match(flags.cdrDatabase, { onNone: () => CdrSql.sqlite(flags.dataDir), onSome: CdrSql.postgres })
    const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
    const records = yield* Effect.flatMap(CdrStore, (cdrs) => cdrs.query(now - sinceMs, flags.limit)).pipe(Effect.provide(store))
    if (flags.json) {
      for (const record of records) yield* Console.log(JSON.stringify(record))
    } else {
      yield* Console.log(records.length === 0 ? `no calls ended in the last ${Duration.format(Duration.millis(sinceMs))}` : formatTable(records))
    }
  }).pipe(
    Effect.catchTags({
      FlagError: (error) => Console.error(`effect-sip cdr: ${error.message}`).pipe(Effect.andThen(Effect.sync(() => { process.exitCode = 2 }))),
      CdrError: (error) => Console.error(`effect-sip cdr: ${error.message}`).pipe(Effect.andThen(Effect.sync(() => { process.exitCode = 1 })))
    })
  )).pipe(Command.withDescription("Print call detail records (--cdr writes them)"))
