// Signal state from the lamp's pixels: a per-frame colour reading, held steady by hysteresis (LED lamps flicker).
import type { SignalState } from '../../contract/index.ts';
import type { Frame } from '../ingest/frame.ts';
import { type LampColour, type PixelRect, readLamp, regionToPixels } from './lamp-colour.ts';
import type { LampSignalConfig } from './signal-schema.ts';
import type { SignalSource } from './signal-source.ts';

export class LampSignalSource implements SignalSource {
  private current: SignalState = 'unknown';
  /** The reading that differs from `current`, and how many consecutive frames have shown it. */
  private candidate: SignalState = 'unknown';
  private candidateFrames = 0;
  private lastFrameAtMs = Number.NEGATIVE_INFINITY;
  /** Regions in frame pixels, recomputed only when the frame geometry changes. */
  private regions: Partial<Record<LampColour, PixelRect>> = {};
  private geometryKey = '';

  constructor(
    private readonly cfg: LampSignalConfig,
    /** Wall clock (ms), injected so staleness is testable. */
    private readonly now: () => number = Date.now,
  ) {}

  onFrame(frame: Frame): void {
    const { width, height, pixelFormat } = frame.spec;
    const key = `${width}x${height}:${frame.content.x},${frame.content.y},${frame.content.width},${frame.content.height}`;
    if (key !== this.geometryKey) {
      this.geometryKey = key;
      const map = (r: [number, number, number, number] | undefined) =>
        r ? regionToPixels(r, frame.content, width, height) : undefined;
      this.regions = {
        red: map(this.cfg.redRegionNorm),
        green: map(this.cfg.greenRegionNorm),
        amber: map(this.cfg.amberRegionNorm),
      };
    }
    const colour = readLamp({ width, height, pixelFormat, data: frame.data }, this.regions, this.cfg);
    this.observe(colour ?? 'unknown');
  }

  /** One frame's reading; the state follows only after hysteresisFrames consecutive identical readings. */
  observe(reading: SignalState): void {
    this.lastFrameAtMs = this.now();
    if (reading === this.current) {
      this.candidateFrames = 0;
      return;
    }
    if (reading === this.candidate) this.candidateFrames++;
    else {
      this.candidate = reading;
      this.candidateFrames = 1;
    }
    if (this.candidateFrames >= this.cfg.hysteresisFrames) {
      this.current = reading;
      this.candidateFrames = 0;
    }
  }

  state(): SignalState {
    return this.now() - this.lastFrameAtMs > this.cfg.staleAfterS * 1000 ? 'unknown' : this.current;
  }

  /** Nothing to release: the source only reads frames it is handed. */
  close(): void {
    this.candidateFrames = 0;
  }
}
