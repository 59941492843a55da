/**
 * RFC 2782 target order: lowest priority first; within one priority, a weighted random order (a target
 * with weight 0 has a small chance, and those come first in the list before the draw, as the RFC says).
 * Pure given `random` (a number in [0, 1)), so tests can pin it.
 */
export interface SrvRecord {
  readonly priority: number
  readonly weight: number
  readonly port: number
  readonly name: string
}

const weightedOrder = (group: ReadonlyArray<SrvRecord>, random: () => number): Array<SrvRecord> => {
  const left = [...group].sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1))
  const out: Array<SrvRecord> = []
  while (left.length > 0) {
    const total = left.reduce((sum, r) => sum + r.weight, 0)
    const pick = Math.floor(random() * (total + 1))
    let running = 0
    let index = left.length - 1
    for (let i = 0; i < left.length; i++) {
      running += left[i].weight
      if (running >= pick) {
        index = i
        break
      }
    }
    out.push(left[index])
    left.splice(index, 1)
  }
  return out
}

export const srvOrder = (records: ReadonlyArray<SrvRecord>, random: () => number = Math.random): Array<SrvRecord> => {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b)
  return priorities.flatMap((p) => weightedOrder(records.filter((r) => r.priority === p), random))
}
