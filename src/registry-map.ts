/**
 * A Map for long-lived registries that gain and lose an entry per call (sessions, dialogs, transactions).
 *
 * Why not a plain Map: when V8 rehashes a Map (it does so every few inserts under churn, to drop deleted
 * entries), the old table keeps its entries and a link to the new table. Once one table of a long-lived
 * Map is in the old generation, every young-generation GC treats its stale slots as live: the values they
 * point at survive, their tables after them too, and so on ("nepotism"). Each call's whole object graph,
 * reachable from its registry entry, was promoted to the old generation this way: ~12 KB per answered call,
 * which made the young-generation pauses behind the latency tail (bench:promotion measures it).
 *
 * Here the table holds a small box per entry, and `delete` empties the box first: a stale slot then keeps
 * alive only an empty box, never the value.
 */
interface Box<V> {
  value: V | undefined
}

export class RegistryMap<K, V> implements Map<K, V> {
  private readonly boxes = new Map<K, Box<V>>()

  get size(): number {
    return this.boxes.size
  }

  get(key: K): V | undefined {
    return this.boxes.get(key)?.value
  }

  has(key: K): boolean {
    return this.boxes.has(key)
  }

  set(key: K, value: V): this {
    const box = this.boxes.get(key)
    if (box !== undefined) box.value = value
    else this.boxes.set(key, { value })
    return this
  }

  delete(key: K): boolean {
    const box = this.boxes.get(key)
    if (box === undefined) return false
    box.value = undefined
    return this.boxes.delete(key)
  }

  clear(): void {
    for (const box of this.boxes.values()) box.value = undefined
    this.boxes.clear()
  }

  forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, box] of this.boxes) callback.call(thisArg, box.value as V, key, this)
  }

  *entries(): MapIterator<[K, V]> {
    for (const [key, box] of this.boxes) yield [key, box.value as V]
  }

  keys(): MapIterator<K> {
    return this.boxes.keys()
  }

  *values(): MapIterator<V> {
    for (const box of this.boxes.values()) yield box.value as V
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries()
  }

  get [Symbol.toStringTag](): string {
    return "RegistryMap"
  }
}
