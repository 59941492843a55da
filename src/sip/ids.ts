/**
 * Identifiers from node:crypto. §8.1.1.7: branch starts with the magic cookie "z9hG4bK" and must be
 * unique in space and time; §19.3: tags and Call-IDs need at least 32 bits of randomness.
 * Random bytes come from the process's pooled buffer (random.ts), so a branch costs no syscall.
 */
import { randomUUID } from "node:crypto"
import { randomHex } from "../random.ts"

/** RFC 3261 branches start with this; anything else is an RFC 2543 peer (§8.1.1.7). */
export const MAGIC_COOKIE = "z9hG4bK"

/** A new RFC 3261 branch: "z9hG4bK" + 96 random bits. */
export const newBranch = (): string => MAGIC_COOKIE + randomHex(12)

/** A new From/To tag: 64 random bits. */
export const newTag = (): string => randomHex(8)

/** A new Call-ID: a random UUID, "@host" appended when given (§20.8 allows word@word). */
export const newCallId = (host?: string): string => host === undefined ? randomUUID() : `${randomUUID()}@${host}`
