// Cuts a raw video byte stream into whole frames of a fixed size without copying more than once per frame.
export class FrameReader {
  private buffer: Buffer;
  private filled = 0;

  constructor(
    readonly frameBytes: number,
    private readonly onFrame: (data: Buffer) => void,
  ) {
    this.buffer = Buffer.allocUnsafe(frameBytes);
  }

  /** Feeds a chunk; calls onFrame once per completed frame, with a buffer the callee owns. */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      chunk.copy(this.buffer, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) {
        const frame = this.buffer;
        this.buffer = Buffer.allocUnsafe(this.frameBytes);
        this.filled = 0;
        this.onFrame(frame);
      }
    }
  }

  reset(): void {
    this.filled = 0;
  }
}
