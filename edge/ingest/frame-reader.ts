// Reads a raw video pipe exactly one frame's bytes at a time (Readable.read(n)), so at most one frame is buffered.
import type { Readable } from 'node:stream';

export class FrameReader {
  /** Bytes of a partial frame left when the stream ended (ffmpeg killed mid-write). */
  partialBytes = 0;
  frames = 0;

  constructor(
    private readonly stream: Readable,
    readonly frameBytes: number,
    private readonly onFrame: (data: Buffer) => void,
  ) {
    // read(n) returns null until n bytes are buffered (Node raises the high-water mark to fit one frame), so
    // the pipe is never drained into an unbounded queue; ffmpeg's writes pace themselves against our reads.
    stream.on('readable', () => this.drain());
  }

  private drain(): void {
    for (;;) {
      const data = this.stream.read(this.frameBytes) as Buffer | null;
      if (data === null) return;
      if (data.length === this.frameBytes) {
        this.frames++;
        this.onFrame(data);
      } else {
        this.partialBytes += data.length; // only at end of stream: a torn last frame is never passed on
      }
    }
  }
}
