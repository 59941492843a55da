/** A Node Buffer over the same bytes (no copy): for Buffer-only APIs (`toString("latin1")`, werift's readers). */
export const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
