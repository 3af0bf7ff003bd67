// A detector's reused input tensor buffer: letterbox padding written once per geometry, the picture every frame.
import type { ContentRect, Frame, FrameSpec } from '../ingest/frame.ts';
import { hwcToChw } from './hwc-to-chw.ts';

export class PlanarInput {
  /** NCHW float data of one image, handed to onnxruntime as the input tensor's buffer. */
  readonly data: Float32Array;
  private lastRect: ContentRect | undefined;

  constructor(
    private readonly spec: FrameSpec,
    /** 1 for raw 0..255 models, 1/255 for 0..1 models. */
    private readonly scale: number,
  ) {
    this.data = new Float32Array(3 * spec.width * spec.height);
  }

  /** Fills the buffer from the frame; only allocates nothing, and skips the padding while the geometry holds. */
  fill(frame: Frame): void {
    const { width, height } = this.spec;
    const rect = frame.content;
    const last = this.lastRect;
    if (
      !last ||
      last.x !== rect.x ||
      last.y !== rect.y ||
      last.width !== rect.width ||
      last.height !== rect.height
    ) {
      // ffmpeg pads with spec.padValue; a stretched frame has no padding and is converted whole anyway.
      this.data.fill(this.spec.padValue * this.scale);
      this.lastRect = { ...rect };
    }
    hwcToChw(frame.data, this.data, width, height, this.scale, rect);
  }
}
