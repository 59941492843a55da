/**
 * The MediaEngine's configuration: where RTP binds, its port range and the media timeout.
 */

export interface MediaConfig {
  /** Address to bind RTP sockets and to announce in SDP. */
  readonly host: string
  readonly advertisedHost?: string
  /** Inclusive even port range. */
  readonly portMin: number
  readonly portMax: number
  /** No RTP for this long raises MediaTimeout; 0 disables. */
  readonly mediaTimeoutMs: number
}
