/** §25.1 hostport = host [ ":" port ], shared by Via sent-by and SIP URIs. */
import { digitsValue } from "./chars.ts"

/** Splits "host[:port]" (IPv6 in brackets) into host and port; undefined when malformed. */
export const parseHostPort = (s: string): { readonly host: string; readonly port: number | undefined } | undefined => {
  if (s.length === 0) return undefined
  let hostEnd: number
  if (s.charCodeAt(0) === 91 /* [ */) {
    hostEnd = s.indexOf("]") + 1
    if (hostEnd <= 1) return undefined
  } else {
    hostEnd = s.indexOf(":")
    if (hostEnd < 0) hostEnd = s.length
  }
  if (hostEnd === 0) return undefined
  const host = s.slice(0, hostEnd)
  if (hostEnd === s.length) return { host, port: undefined }
  if (s.charCodeAt(hostEnd) !== 58) return undefined
  const port = digitsValue(s, hostEnd + 1)
  if (port < 0 || port > 65535) return undefined
  return { host, port }
}
