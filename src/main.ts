#!/usr/bin/env node
/**
 * The CLI server: `node dist/main.js` answers calls on 0.0.0.0:5060/udp with echo media; `--registrar`
 * makes it a registrar too. Flags → config → Layers → run until SIGINT/SIGTERM, which end active calls
 * with BYE first. A flag or users file we cannot use: one line on stderr, exit code 2.
 */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { Command } from "effect/cli"
import { ServerSessionManager } from "./api/server-session-manager.ts"
import { SipStack } from "./api/sip-stack.ts"
import { type OpsFlags, opsFlags, opsLayer, toOpsConfig } from "./cli/ops-flags.ts"
import { callCommand } from "./cli/call-command.ts"
import { type CaptureFlags, captureFlags, captureLayer } from "./cli/capture-flags.ts"
import { cdrCommand } from "./cli/cdr-command.ts"
import { applyGcMode } from "./cli/gc-mode.ts"
import { giveMemoryBackWhenIdle } from "./cli/idle-gc.ts"
import { registerCommand } from "./cli/register-command.ts"
import { publicHost, defaultServerConfig } from "./api/server-config.ts"
import { type RegistrarFlags, registrarFlags, registrarLayer } from "./cli/registrar-flags.ts"
import type { ServerFlags } from "./cli/server-flags.ts"
import { FlagError, modeHandler, serverFlags, toServerConfig } from "./cli/server-flags.ts"
import { referHandlerOf, type TransferFlags, transferFlags } from "./cli/transfer-flag.ts"
import { bufferedStdoutLayer } from "./logging/stdout-logger.ts"

const exit = (code: number) => Effect.sync(() => { process.exitCode = code })

const serve = (flags: ServerFlags & RegistrarFlags & OpsFlags & CaptureFlags & TransferFlags) =>
  Effect.gen(function*() {
    const { config, registrar, ops, above, capture } = yield* Effect.try({
      try: () => {
        const config = { ...toServerConfig(flags), referHandler: referHandlerOf(flags) }
        const ops = toOpsConfig(flags)
        const above = opsLayer(flags, ops, flags.dataDir)
        const capture = captureLayer(flags, ops !== undefined && flags.httpConsole === "on")
        return { config, ops, above, capture, registrar: registrarLayer(flags, publicHost({ ...defaultServerConfig, ...config })) }
      },
      catch: (error) => (error instanceof FlagError ? error : new FlagError({ message: String(error) }))
    })
    const notApplied = yield* Effect.sync(() => applyGcMode(flags.gc))
    if (notApplied.length > 0) {
      yield* Effect.logWarning(`could not restart node with ${notApplied.join(" ")}; running with V8's defaults for those`)
    }
    const server = Effect.gen(function*() {
      const manager = yield* ServerSessionManager
      const where = manager.local.map((e) => `${e.transport} ${config.host ?? e.host}:${e.port}`).join(", ")
      const advertised = manager.local[0]?.host
      const role = flags.registrar ? `, registrar${flags.users._tag === "Some" || flags.usersTable ? " with digest auth" : ""}` : ""
      const http = ops === undefined ? "" : `; /metrics, /healthz, /readyz on http://${ops.host}:${ops.port}`
      yield* Console.log(`effect-sip listening on ${where}, advertised as ${advertised} (mode ${flags.mode}, media ${flags.media}, transfer ${flags.transfer}${role})${http}`)
      // V8's memory reducer needs incremental marking: without it (atomic) we give memory back ourselves.
      if (flags.gc === "atomic") yield* Effect.forkChild(giveMemoryBackWhenIdle())
      return yield* Effect.never
    })
    // The operations layer sits above the stack: its drain finalizer runs before the stack's BYEs.
    const stack = SipStack.layer({ ...defaultServerConfig, ...config, handler: modeHandler(flags) }).pipe(
      Layer.provideMerge(capture),
      Layer.provideMerge(registrar)
    )
    const app = Layer.merge(ServerSessionManager.fromStack, above).pipe(Layer.provide(stack))
    return yield* server.pipe(Effect.provide(app))
  }).pipe(
    Effect.catchTags({
      NetworkError: (error) => Console.error(`effect-sip: ${error.message ?? `${error.reason} (${error.address})`}`).pipe(Effect.andThen(exit(1))),
      LocationError: (error) => Console.error(`effect-sip: ${error.message}`).pipe(Effect.andThen(exit(1))),
      FlagError: (error: FlagError) => Console.error(`effect-sip: ${error.message}`).pipe(Effect.andThen(exit(2))),
      UsersFileError: (error) => Console.error(`effect-sip: ${error.message}`).pipe(Effect.andThen(exit(2))),
      CdrError: (error) => Console.error(`effect-sip: ${error.message}`).pipe(Effect.andThen(exit(1)))
    })
  )

// --log-level is effect/cli's global flag: it sets References.MinimumLogLevel for every command.
const command = Command.make("effect-sip", { ...serverFlags, ...registrarFlags, ...opsFlags, ...captureFlags, ...transferFlags }, serve).pipe(
  Command.withDescription("An Effect-native SIP server: answers calls with RTP media (`call` places one)"),
  Command.withSubcommands([callCommand, registerCommand, cdrCommand])
)

// Log lines go out batched, one stdout write per 50 ms (src/logging): the default INFO level costs
// little on the hot path.
command.pipe(
  Command.run({ version: "0.1.0" }),
  // A flag effect/cli cannot parse: it printed the help and the error; the exit code says "usage" (2).
  Effect.catchTag("ShowHelp", (help) => (help.errors.length > 0 ? exit(2) : Effect.void)),
  Effect.provide(Layer.mergeAll(NodeServices.layer, bufferedStdoutLayer)),
  NodeRuntime.runMain
)
