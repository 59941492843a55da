import { describe, expect, it } from "@effect/vitest"
import { RegistryMap } from "../src/registry-map.ts"

describe("RegistryMap", () => {
  it("answers like a Map: set, get, has, size, delete, clear", () => {
    const map = new RegistryMap<string, { readonly n: number }>()
    const a = { n: 1 }
    expect(map.set("a", a)).toBe(map)
    map.set("b", { n: 2 })
    expect(map.get("a")).toBe(a)
    expect(map.has("b")).toBe(true)
    expect(map.size).toBe(2)
    map.set("a", { n: 3 })
    expect(map.get("a")).toEqual({ n: 3 })
    expect(map.size).toBe(2)
    expect(map.delete("a")).toBe(true)
    expect(map.delete("a")).toBe(false)
    expect(map.get("a")).toBeUndefined()
    expect(map.has("a")).toBe(false)
    map.clear()
    expect(map.size).toBe(0)
    expect(map.get("b")).toBeUndefined()
  })

  it("iterates in insertion order, as entries, keys, values and forEach", () => {
    const map = new RegistryMap<string, number>()
    map.set("x", 1).set("y", 2).set("z", 3)
    map.set("x", 10)
    expect([...map]).toEqual([["x", 10], ["y", 2], ["z", 3]])
    expect([...map.entries()]).toEqual([["x", 10], ["y", 2], ["z", 3]])
    expect([...map.keys()]).toEqual(["x", "y", "z"])
    expect([...map.values()]).toEqual([10, 2, 3])
    const seen: Array<string> = []
    map.forEach((value, key, self) => {
      expect(self).toBe(map)
      seen.push(`${key}=${value}`)
    })
    expect(seen).toEqual(["x=10", "y=2", "z=3"])
    expect(Object.prototype.toString.call(map)).toBe("[object RegistryMap]")
  })

  it("keeps a Map's rules for deleting while iterating (the dialog store drops requests that way)", () => {
    const map = new RegistryMap<string, number>()
    for (let i = 0; i < 6; i++) map.set(`k${i}`, i)
    const visited: Array<number> = []
    for (const [key, value] of map) {
      visited.push(value)
      if (value % 2 === 0) map.delete(key)
      if (key === "k1") map.delete("k3") // not visited: deleted before the iterator reached it
    }
    expect(visited).toEqual([0, 1, 2, 4, 5])
    expect([...map.keys()]).toEqual(["k1", "k5"])
  })

  it("stores undefined values as values (has is true)", () => {
    const map = new RegistryMap<string, number | undefined>()
    map.set("u", undefined)
    expect(map.has("u")).toBe(true)
    expect(map.size).toBe(1)
    expect([...map]).toEqual([["u", undefined]])
  })
})
