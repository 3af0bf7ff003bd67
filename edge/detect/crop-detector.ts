// Runs the shared detector on each crop of a frame (or on the frame itself) and merges the boxes in frame coordinates.
import type { CameraConfig } from '../config/schema.ts';
import type { Frame, FrameSpec } from '../ingest/frame.ts';
import { FULL_FRAME, isFullFrame, planCrops, type RectNorm } from './detect-regions.ts';
import type { Detection } from './detection.ts';
import type { DetectorTimings } from './detector.ts';
import type { DetectorPool } from './detector-pool.ts';
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

/** One frame's detections over its crops (frame.crops), or over the whole frame when it has none. */
export async function detectFrame(
  pool: DetectorPool,
  frame: Frame,
  o: { nmsIou: number; wholeFrame: boolean },
): Promise<{ detections: Detection[]; timings: DetectorTimings }> {
  if (!frame.crops?.length) return pool.run(frame);
  const timings: DetectorTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
  const perCrop = [];
  // The whole frame as one more crop (never cut): vehicles larger than the tile overlap are found whole there.
  const whole = o.wholeFrame
    ? [
        {
          rectNorm: FULL_FRAME,
          content: frame.content,
          sourceWidth: frame.sourceWidth,
          sourceHeight: frame.sourceHeight,
          data: frame.data,
        },
      ]
    : [];
  for (const crop of [...whole, ...frame.crops]) {
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
    perCrop.push({ crop: crop.rectNorm, detections: detections.map((d) => mapToFrame(d, crop.rectNorm)) });
  }
  const t0 = performance.now();
  const detections = mergeCropDetections(perCrop, { nmsIou: o.nmsIou });
  timings.postprocessMs += performance.now() - t0;
  return { detections, timings };
}
