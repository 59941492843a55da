/**
 * Parse failures as plain values (ARCHITECTURE "Typed errors": a peer's bad bytes never throw).
 * `message` is short and printable: the transport uses it as the reason phrase of its 400 (§21.4.1).
 */
export interface ParseError {
  readonly _tag: "ParseError"
  readonly message: string
  /** 1-based line of the message where the problem is, when it is tied to one line. */
  readonly line?: number
  /** The RFC 3261 grammar rule or check that failed, e.g. "Request-Line", "Content-Length". */
  readonly rule?: string
}

export const parseError = (message: string, rule?: string, line?: number): ParseError =>
  line === undefined
    ? rule === undefined ? { _tag: "ParseError", message } : { _tag: "ParseError", message, rule }
    : { _tag: "ParseError", message, rule, line }

export const isParseError = (x: unknown): x is ParseError =>
  typeof x === "object" && x !== null && (x as { readonly _tag?: unknown })._tag === "ParseError"
