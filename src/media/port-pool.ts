/**
 * The RTP port pool (RFC 3550 §11: RTP on an even port, RTCP on the next odd one) over an inclusive
 * configured range. Pure bookkeeping: which pairs are taken, and which to try next. Allocation is
 * round-robin so a just-freed port is not reused at once (late packets of the old call land nowhere).
 */
export class PortPool {
  private readonly first: number
  /** Number of even/odd pairs that fit in [min, max]. */
  readonly size: number
  private readonly taken = new Set<number>()
  private cursor = 0

  constructor(min: number, max: number) {
    this.first = min % 2 === 0 ? min : min + 1
    this.size = max >= this.first + 1 ? Math.floor((max - this.first + 1) / 2) : 0
  }

  get inUse(): number {
    return this.taken.size
  }

  /** Free RTP ports, each once, in the order to try them; taking is up to the caller. */
  *candidates(): Generator<number> {
    const start = this.cursor // `take` moves the cursor while the caller iterates
    for (let i = 0; i < this.size; i++) {
      const index = (start + i) % this.size
      const port = this.first + 2 * index
      if (!this.taken.has(port)) yield port
    }
  }

  /** Mark a pair in use (before binding, so concurrent opens never try the same pair). */
  take(port: number): void {
    this.taken.add(port)
    this.cursor = ((port - this.first) / 2 + 1) % this.size
  }

  release(port: number): void {
    this.taken.delete(port)
  }
}
