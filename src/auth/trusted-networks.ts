/**
 * Networks whose requests go on without a challenge (`--auth-trust 10.0.0.0/8,192.0.2.7`): a gateway or PBX
 * that cannot answer digest challenges. IPv4 and IPv6 prefixes, or single addresses, on node:net's BlockList.
 */
import { BlockList, isIP } from "node:net"

export interface TrustedNetworks {
  readonly trusts: (host: string) => boolean
}

/** The networks of a comma-separated list, or the first entry that is not one. */
export const parseTrustedNetworks = (list: string): TrustedNetworks | string => {
  const blocks = new BlockList()
  for (const entry of list.split(",").map((e) => e.trim()).filter((e) => e.length > 0)) {
    const [address = "", prefix, ...rest] = entry.split("/")
    const family = isIP(address)
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix)
    if (family === 0 || rest.length > 0 || !/^\d+$/.test(String(bits)) || bits > (family === 6 ? 128 : 32)) {
      return `"${entry}" is not an address or network (a.b.c.d/n, an IPv6 prefix, or one address)`
    }
    blocks.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4")
  }
  return {
    trusts: (host) => {
      const family = isIP(host)
      return family !== 0 && blocks.check(host, family === 6 ? "ipv6" : "ipv4")
    }
  }
}
