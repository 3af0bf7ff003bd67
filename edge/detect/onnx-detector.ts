// Shared mechanics of the ONNX detectors: frame checks, timings, warm-up; each family supplies feeds and decode.
import type * as ort from 'onnxruntime-node';
import type { Frame, FrameSpec } from '../ingest/frame.ts';
import type { Detection } from './detection.ts';
import type { Detector, DetectorTimings } from './detector.ts';
import type { DetectorConfig, DetectorFamily } from './detector-schema.ts';
import { loadSession, type TensorInfo, tensorInfos } from './onnx-session.ts';

export abstract class OnnxDetector implements Detector {
  abstract readonly family: DetectorFamily;
  lastTimings: DetectorTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };

  protected constructor(
    protected readonly session: ort.InferenceSession,
    readonly modelName: string,
    readonly labels: readonly string[],
    readonly frameSpec: FrameSpec,
  ) {}

  async detect(frame: Frame): Promise<Detection[]> {
    this.checkFrame(frame);
    const t0 = performance.now();
    const feeds = this.preprocess(frame);
    const t1 = performance.now();
    const out = await this.session.run(feeds);
    const t2 = performance.now();
    const dets = this.decode(out, frame);
    const t3 = performance.now();
    this.lastTimings = { preprocessMs: t1 - t0, inferenceMs: t2 - t1, postprocessMs: t3 - t2 };
    return dets;
  }

  /**
   * Runs the model on a blank (pad-coloured) frame: the first run checks the real output shapes through decode
   * (dynamic dimensions are only known then), the rest let onnxruntime settle its kernels and memory arenas.
   */
  async warmUp(runs: number): Promise<void> {
    const { width, height, padValue } = this.frameSpec;
    const frame: Frame = {
      cameraId: '_warmup',
      seq: 0,
      tsMs: 0,
      spec: this.frameSpec,
      content: { x: 0, y: 0, width, height },
      sourceWidth: width,
      sourceHeight: height,
      data: Buffer.alloc(width * height * 3, padValue),
    };
    for (let i = 0; i < Math.max(1, runs); i++) await this.detect(frame); // the first run checks shapes
  }

  /** Fills the reused input tensors from the frame; must not allocate per frame. */
  protected abstract preprocess(frame: Frame): ort.InferenceSession.FeedsType;
  protected abstract decode(out: ort.InferenceSession.ReturnType, frame: Frame): Detection[];

  private checkFrame(frame: Frame): void {
    const s = this.frameSpec;
    const expected = s.width * s.height * 3;
    if (
      frame.spec.width !== s.width ||
      frame.spec.height !== s.height ||
      frame.spec.pixelFormat !== s.pixelFormat ||
      frame.data.length !== expected
    ) {
      throw new Error(
        `frame from ${frame.cameraId} is ${frame.spec.width}x${frame.spec.height} ${frame.spec.pixelFormat} ` +
          `(${frame.data.length} B) but ${this.modelName} needs ${s.width}x${s.height} ${s.pixelFormat} (${expected} B)`,
      );
    }
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Loads a model's session, lets `build` check its tensors and make the detector, then warms it up; the session
 * is released if any step fails, so a refused file leaks nothing.
 */
export async function loadOnnxDetector<T extends OnnxDetector>(
  file: string,
  cfg: DetectorConfig,
  build: (session: ort.InferenceSession, io: { inputs: TensorInfo[]; outputs: TensorInfo[] }) => T,
): Promise<T> {
  const session = await loadSession(file, cfg);
  try {
    const det = build(session, {
      inputs: tensorInfos(session.inputMetadata),
      outputs: tensorInfos(session.outputMetadata),
    });
    await det.warmUp(cfg.warmupRuns);
    return det;
  } catch (err) {
    await session.release();
    throw err;
  }
}
