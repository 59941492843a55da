/**
 * A Map for long-lived registries that gain and lose an entry per call (sessions, dialogs, transactions): each
 * entry sits in a box that `delete` empties, so a stale slot of a rehashed table keeps no call alive through
 * young GCs. Why: docs/performance.md, "Map rehash nepotism".
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
