// hep-js ships no types: decapsulate() as its source returns it (false for what it cannot decode).
declare module "hep-js" {
  export interface Decoded {
    readonly rcinfo: Record<string, string | number>
    readonly payload: string
  }
  const hep: { readonly decapsulate: (packet: Buffer) => Decoded | false }
  export default hep
}
