/**
 * Only codecs the media engine speaks may be offered or accepted: an answer naming a codec we cannot encode
 * (G.722 today) would leave the caller with no audio from tone, file or silence.
 */
import { ApplicationError } from "../errors.ts"
import { speakableCodecs } from "../media/g711.ts"

const speaks = (configured: string): boolean => {
  const [name, rate] = configured.trim().toUpperCase().split("/")
  return speakableCodecs.some((codec) => codec === name) && (rate === undefined || rate === "8000")
}

/** The typed error for a codec list naming one we cannot speak, or undefined when every name is fine. */
export const checkCodecs = (codecs: ReadonlyArray<string>): ApplicationError | undefined => {
  const unspeakable = codecs.filter((codec) => !speaks(codec))
  return unspeakable.length === 0 ? undefined : new ApplicationError({
    reason: "InvalidArgument",
    message: `codecs: no encoder for ${unspeakable.join(", ")}; supported: ${speakableCodecs.join(", ")}`
  })
}
