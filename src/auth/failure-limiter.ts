/**
 * Brute-force protection: failed authentications per key (a source address, or a username) in a sliding
 * window. Past `threshold` failures a key is refused (403) until its window passes, whatever it sends.
 * Bounded: past `capacity` keys the least recently failing is forgotten, so a spray of addresses or
 * usernames costs memory we chose, not memory they chose.
 */
export interface LimiterConfig {
  readonly threshold: number
  readonly windowMs: number
  readonly capacity: number
}

interface Record {
  count: number
  since: number
}

export class FailureLimiter {
  private readonly sources = new Map<string, Record>()
  private readonly config: LimiterConfig

  constructor(config: LimiterConfig) {
    this.config = config
  }

  /** Whether `source` is refused at `now`. */
  blocked(source: string, now: number): boolean {
    const record = this.sources.get(source)
    if (record === undefined) return false
    if (now - record.since > this.config.windowMs) {
      this.sources.delete(source)
      return false
    }
    return record.count >= this.config.threshold
  }

  /** Counts one failure; true when this one reached the threshold (log it once). */
  fail(source: string, now: number): boolean {
    let record = this.sources.get(source)
    if (record === undefined || now - record.since > this.config.windowMs) record = { count: 0, since: now }
    record.count++
    // Re-insert: the Map's order is then least recently failing first.
    this.sources.delete(source)
    this.sources.set(source, record)
    if (this.sources.size > this.config.capacity) this.sources.delete(this.sources.keys().next().value as string)
    return record.count === this.config.threshold
  }

  get size(): number {
    return this.sources.size
  }
}
