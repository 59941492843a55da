/**
 * The Call-ID of a serialized SIP message, by scanning its header block for `Call-ID:` or the compact
 * `i:` (case-insensitive) without a full parse. Undefined when there is none.
 */
const latin1 = new TextDecoder("latin1")

export const scanCallId = (bytes: Uint8Array): string | undefined => {
  const end = indexOfBlankLine(bytes)
  const head = latin1.decode(end < 0 ? bytes : bytes.subarray(0, end))
  const match = /\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]+)/i.exec(head)
  return match === null ? undefined : match[1].trim()
}

const indexOfBlankLine = (bytes: Uint8Array): number => {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i
  }
  return -1
}
