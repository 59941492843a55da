/**
 * The pure SIP layer (RFC 3261 §7, §19, §20, §25): message model, parser, serializer, typed header
 * values, builders and identifiers. No I/O, no Effect: bytes in, values (or ParseError values) out.
 */
export * from "./message.ts"
export { type ParseError, isParseError, parseError } from "./parse-error.ts"
export { type ParseOptions, parseMessage } from "./parse-message.ts"
export { serialize, serializeHead } from "./serialize.ts"
export { getHeader, getHeaders, header, removeHeader, setHeader, withHeader } from "./headers.ts"
export { headerKey, headerSpelling, LIST_HEADERS } from "./header-names.ts"
export { splitList } from "./split-list.ts"
export { parseHostPort } from "./host-port.ts"
export { parseVia, topVia, type Via } from "./via.ts"
export { formatUri, parseUri, type SipUri } from "./uri.ts"
export { formatNameAddr, type NameAddr, parseNameAddr } from "./name-addr.ts"
export { type CSeq, cseqOf, formatCSeq, parseCSeq } from "./cseq.ts"
export {
  type MediaType,
  parseContentLength,
  parseContentType,
  parseExpires,
  parseMaxForwards,
  parseTokenList
} from "./header-values.ts"
export {
  type AuthValue,
  formatChallenge,
  formatCredentials,
  parseChallenge,
  parseCredentials
} from "./digest.ts"
export { type HeaderInit, makeRequest, makeResponse } from "./builders.ts"
export { MAGIC_COOKIE, newBranch, newCallId, newTag } from "./ids.ts"
export { StreamFramer } from "./stream-framer.ts"
export { reasonPhrase } from "./reason-phrase.ts"
