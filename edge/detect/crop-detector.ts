// Runs the shared detector on each crop of a frame (or on the frame itself) and merges the boxes in frame coordinates.
import type { CameraConfig } from '../config/schema.ts';
import type { Frame, FrameCrop, FrameSpec } from '../ingest/frame.ts';
import { FULL_FRAME, isFullFrame, planCrops, type RectNorm } from './detect-regions.ts';
import type { Detection } from './detection.ts';
import type { DetectorTimings } from './detector.ts';
import type { DetectorPool } from './detector-pool.ts';
import type { MotionGate } from './motion-gate.ts';
import { regionGeometry } from './region-geometry.ts';
import { mapToFrame, mergeCropDetections } from './tile-merge.ts';

/** The crops ffmpeg should deliver for one camera and source size; empty when the whole frame is the only crop. */
export function cameraCrops(
  camera: Pick<CameraConfig, 'regions' | 'zones' | 'lines' | 'rules'>,
  spec: FrameSpec,
  sourceWidth: number,
  sourceHeight: number,
): RectNorm[] {
  const crops = planCrops(camera.regions, regionGeometry(camera), {
    sourceWidth,
    sourceHeight,
    modelWidth: spec.width,
    modelHeight: spec.height,
  });
  return crops.length === 1 && isFullFrame(crops[0]!) ? [] : crops;
}

/** Motion gating state of one camera: the gate and each crop's last detections (in frame coordinates). */
export interface CropMotion {
  gate: MotionGate;
  last: Map<number, Detection[]>;
}

/**
 * One frame's detections over its crops (frame.crops, plus the whole frame with `wholeFrame`), or over the whole
 * frame when it has none. With `motion`, a crop where nothing moved since the last frame reuses its last
 * detections (at least every refreshMs it runs anyway): the tracker still gets every frame, so tracks age as usual
 * and a parked car keeps its box.
 */
export async function detectFrame(
  pool: DetectorPool,
  frame: Frame,
  o: { nmsIou: number; wholeFrame: boolean; motion?: CropMotion },
): Promise<{ detections: Detection[]; timings: DetectorTimings }> {
  if (!frame.crops?.length && !o.motion) return pool.run(frame);
  const timings: DetectorTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
  const whole: FrameCrop = {
    rectNorm: FULL_FRAME,
    content: frame.content,
    sourceWidth: frame.sourceWidth,
    sourceHeight: frame.sourceHeight,
    data: frame.data,
  };
  const crops = frame.crops?.length ? frame.crops : [];
  // The whole frame as one more crop (never cut): vehicles larger than the tile overlap are found whole there.
  const all = crops.length === 0 || o.wholeFrame ? [whole, ...crops] : crops;
  o.motion?.gate.observe(frame.data, frame.spec.width, frame.content);
  const perCrop = [];
  for (const [key, crop] of all.entries()) {
    let mapped = o.motion?.last.get(key);
    if (!o.motion || o.motion.gate.shouldRun(key, crop.rectNorm, frame.tsMs) || !mapped) {
      const { detections, timings: t } = await pool.run({
        ...frame,
        content: crop.content,
        sourceWidth: crop.sourceWidth,
        sourceHeight: crop.sourceHeight,
        data: crop.data,
        crops: undefined,
      });
      timings.preprocessMs += t.preprocessMs;
      timings.inferenceMs += t.inferenceMs;
      timings.postprocessMs += t.postprocessMs;
      mapped = detections.map((d) => mapToFrame(d, crop.rectNorm));
      o.motion?.last.set(key, mapped);
    }
    perCrop.push({ crop: crop.rectNorm, detections: mapped });
  }
  if (perCrop.length === 1) return { detections: perCrop[0]!.detections, timings };
  const t0 = performance.now();
  const detections = mergeCropDetections(perCrop, { nmsIou: o.nmsIou });
  timings.postprocessMs += performance.now() - t0;
  return { detections, timings };
}
