// Motion gating of detection crops: a small grayscale difference image of the whole frame decides which crops
// changed since the last frame; the others reuse their last detections (pure apart from its own state).
import type { RectNorm } from './detect-regions.ts';

export interface MotionGateOptions {
  /** A pixel of the small gray image changed when it differs from the last frame's by more than this (0..255). */
  pixelThreshold: number;
  /** A crop moved when at least this many of its small-image pixels changed. */
  minChangedPixels: number;
  /** A crop is detected at least this often (ms) even without motion, so a missed arrival is caught up. */
  refreshMs: number;
}

export const MOTION_DEFAULTS: MotionGateOptions = {
  pixelThreshold: 25,
  minChangedPixels: 3,
  refreshMs: 2000,
};
/** Sampling step over the model-size picture: 416x256 becomes 104x64. */
const STEP = 4;

export class MotionGate {
  private prev: Uint8Array | undefined;
  private changed: Uint8Array = new Uint8Array(0);
  private width = 0;
  private height = 0;
  private readonly lastRun = new Map<number, number>();
  /** Crops skipped and run since the gate was made (metrics, bench). */
  skipped = 0;
  ran = 0;

  constructor(private readonly o: MotionGateOptions = MOTION_DEFAULTS) {}

  /**
   * Feeds one frame's picture (packed 3-byte pixels, rows of `width` pixels: the model-size whole frame; the part
   * inside `content` is the picture). Must be called once per frame before `shouldRun`.
   */
  observe(
    data: Uint8Array,
    width: number,
    content: { x: number; y: number; width: number; height: number },
  ): void {
    const w = Math.max(1, Math.floor(content.width / STEP));
    const h = Math.max(1, Math.floor(content.height / STEP));
    const gray = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      const row = (content.y + y * STEP) * width;
      for (let x = 0; x < w; x++) {
        const i = (row + content.x + x * STEP) * 3;
        gray[y * w + x] = (data[i]! + 2 * data[i + 1]! + data[i + 2]!) >> 2;
      }
    }
    const same = this.prev && this.width === w && this.height === h;
    this.changed = new Uint8Array(w * h);
    if (same) {
      const prev = this.prev!;
      for (let i = 0; i < gray.length; i++)
        this.changed[i] = Math.abs(gray[i]! - prev[i]!) > this.o.pixelThreshold ? 1 : 0;
    } else this.changed.fill(1); // first frame or new size: everything is new
    this.prev = gray;
    this.width = w;
    this.height = h;
  }

  /** Changed small-image pixels inside a normalised rectangle of the picture. */
  changedIn(rect: RectNorm): number {
    const x1 = Math.floor(rect[0] * this.width);
    const y1 = Math.floor(rect[1] * this.height);
    const x2 = Math.ceil(rect[2] * this.width);
    const y2 = Math.ceil(rect[3] * this.height);
    let n = 0;
    for (let y = Math.max(0, y1); y < Math.min(this.height, y2); y++)
      for (let x = Math.max(0, x1); x < Math.min(this.width, x2); x++) n += this.changed[y * this.width + x]!;
    return n;
  }

  /** Whether crop `key` (its rectangle in the frame) needs inference on the frame at `tsMs`. */
  shouldRun(key: number, rect: RectNorm, tsMs: number): boolean {
    const last = this.lastRun.get(key);
    const run =
      last === undefined ||
      tsMs - last >= this.o.refreshMs ||
      this.changedIn(rect) >= this.o.minChangedPixels;
    if (run) {
      this.lastRun.set(key, tsMs);
      this.ran++;
    } else this.skipped++;
    return run;
  }
}
