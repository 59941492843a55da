/**
 * Local addresses: whether a bind host is a wildcard, and which address to advertise for one. Shared by the
 * transport (Via/Contact host), the media engine (c= address) and the server config.
 */
import * as Os from "node:os"

/** A bind on every interface ("0.0.0.0", "::", or no host): no address to put in a message. */
export const isWildcard = (host: string): boolean => host === "0.0.0.0" || host === "::" || host === ""

/** First non-internal IPv4 address of this machine, for advertising a wildcard bind. */
export const firstExternalIpv4 = (): string => {
  for (const list of Object.values(Os.networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === "IPv4" && !info.internal) return info.address
    }
  }
  return "127.0.0.1"
}
