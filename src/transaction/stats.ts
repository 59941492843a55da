/**
 * What the transaction layer counts for operators (the /metrics page): retransmissions it sent, requests
 * that arrived again, and responses by status code, sent and received. Plain numbers and two fixed arrays
 * bumped synchronously: no allocation per message.
 */

/** Status codes 100..699 index these arrays directly. */
const STATUS_SLOTS = 700

export interface TransactionStats {
  /** Requests (Timers A/E) and responses (Timer G, a retransmitted request answered again) sent again. */
  retransmissionsSent: number
  /** Requests that matched a live or lingering server transaction: the peer sent them again. */
  retransmissionsReceived: number
  readonly responsesSent: Uint32Array
  readonly responsesReceived: Uint32Array
}

export const makeTransactionStats = (): TransactionStats => ({
  retransmissionsSent: 0,
  retransmissionsReceived: 0,
  responsesSent: new Uint32Array(STATUS_SLOTS),
  responsesReceived: new Uint32Array(STATUS_SLOTS)
})

export const countStatus = (slots: Uint32Array, status: number): void => {
  if (status >= 100 && status < STATUS_SLOTS) slots[status]++
}

/** A copy as status → count, for the ones seen at least once. */
export const statusCounts = (slots: Uint32Array): ReadonlyMap<number, number> => {
  const counts = new Map<number, number>()
  for (let status = 100; status < STATUS_SLOTS; status++) {
    if (slots[status] > 0) counts.set(status, slots[status])
  }
  return counts
}

/** The immutable view `TransactionLayer.stats` hands out. */
export interface TransactionStatsSnapshot {
  readonly retransmissionsSent: number
  readonly retransmissionsReceived: number
  readonly responsesSent: ReadonlyMap<number, number>
  readonly responsesReceived: ReadonlyMap<number, number>
}

export const snapshotStats = (stats: TransactionStats): TransactionStatsSnapshot => ({
  retransmissionsSent: stats.retransmissionsSent,
  retransmissionsReceived: stats.retransmissionsReceived,
  responsesSent: statusCounts(stats.responsesSent),
  responsesReceived: statusCounts(stats.responsesReceived)
})

/** Nothing counted yet: what a layer that counts nothing (a test fake) reports. */
export const emptyTransactionStats: TransactionStatsSnapshot = {
  retransmissionsSent: 0,
  retransmissionsReceived: 0,
  responsesSent: new Map(),
  responsesReceived: new Map()
}
