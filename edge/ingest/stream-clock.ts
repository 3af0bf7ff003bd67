// Maps a stream's frame timestamps (seconds of stream time) to wall-clock ms, monotonic across restarts.
export type StreamClockMode = 'live' | 'file';

/** A jump in stream time this far from arrival time is a discontinuity (camera reboot, loop), not jitter. */
export const DISCONTINUITY_MS = 10_000;
/** Live mode follows a slower camera clock upward by this fraction of the gap per frame (drift, not jitter). */
export const DRIFT_GAIN = 0.02;

/**
 * live: offset = the smallest (arrival - pts) seen, i.e. the least-delayed frame, so network jitter does not
 *   shake the timestamps; it creeps up slowly if the camera clock runs slow.
 * file: offset fixed at the first frame, so a file read faster than real time keeps its own time base
 *   (a 2 s dwell in the clip is 2 s to the rules whatever the read speed).
 * Either way timestamps never go backwards, also across ffmpeg restarts (reset() keeps the last one).
 */
export class StreamClock {
  private offsetMs: number | undefined;
  private lastTsMs = Number.NEGATIVE_INFINITY;
  private lastPtsS = Number.NaN;

  constructor(
    private readonly mode: StreamClockMode,
    /** Nominal ms between frames, used when a frame has no timestamp and to step past the last one. */
    private readonly frameIntervalMs: number,
  ) {}

  /** A new ffmpeg run: stream time starts over, wall time continues. */
  reset(): void {
    this.offsetMs = undefined;
    this.lastPtsS = Number.NaN;
  }

  /** Wall-clock ms of a stream time under the current mapping, without advancing the clock (ring segments). */
  peekWallMs(ptsS: number): number | undefined {
    return this.offsetMs === undefined || !Number.isFinite(ptsS) ? undefined : ptsS * 1000 + this.offsetMs;
  }

  toWallMs(ptsS: number, arrivalMs: number): number {
    const pts = Number.isFinite(ptsS)
      ? ptsS
      : Number.isFinite(this.lastPtsS)
        ? this.lastPtsS + this.frameIntervalMs / 1000
        : Number.NaN;
    let ts: number;
    if (!Number.isFinite(pts)) {
      ts = arrivalMs;
    } else {
      const lagMs = arrivalMs - pts * 1000;
      if (this.offsetMs === undefined || pts < this.lastPtsS) {
        // First frame of a run, or stream time went backwards (file restarted, camera reset). A file read
        // ahead of real time carries on one frame after where it was rather than falling back to arrival time.
        this.offsetMs =
          this.mode === 'file' && Number.isFinite(this.lastTsMs)
            ? Math.max(lagMs, this.lastTsMs + this.frameIntervalMs - pts * 1000)
            : lagMs;
      } else if (this.mode === 'live') {
        if (Math.abs(lagMs - this.offsetMs) > DISCONTINUITY_MS) this.offsetMs = lagMs;
        else if (lagMs < this.offsetMs) this.offsetMs = lagMs;
        else this.offsetMs += (lagMs - this.offsetMs) * DRIFT_GAIN;
      }
      this.lastPtsS = pts;
      ts = pts * 1000 + this.offsetMs;
    }
    ts = Math.round(ts);
    if (ts <= this.lastTsMs) ts = this.lastTsMs + 1;
    this.lastTsMs = ts;
    return ts;
  }
}
