/** SDP bodies as peers send them: the fixture files, with the CRLF line ends of the wire (RFC 4566 §5). */
import { readFileSync } from "node:fs"
import { parse } from "sdp-transform"

export const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/sdp/${name}.sdp`, import.meta.url), "utf8").replace(/\r?\n/g, "\r\n")

/** The m= lines of a description we wrote, read back with sdp-transform (an independent reader). */
export const mediaOf = (sdp: string) => parse(sdp).media

export const lines = (sdp: string): ReadonlyArray<string> => sdp.split("\r\n").filter((l) => l.length > 0)
