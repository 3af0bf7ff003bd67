// A camera's `detections` filter applied in the real pipeline: ffmpeg on a real clip, yolox_nano, tracker.
// The pool records what the detector returned; the camera must pass on exactly the detections an independent
// predicate written here keeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.ts';
import { CameraPipeline } from '../../edge/camera-pipeline.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { createDetector } from '../../edge/detect/create-detector.ts';
import type { Detection } from '../../edge/detect/detection.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { DetectorPool } from '../../edge/detect/detector-pool.ts';
import { detectorConfig } from '../../edge/detect/detector-schema.ts';
import type { Frame } from '../../edge/ingest/frame.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { logger } from '../../lib/log.ts';
import { resolveModel } from '../../models/resolve.ts';

class RecordingPool extends DetectorPool {
  readonly raw: Detection[] = [];
  override async run(frame: Frame) {
    const result = await super.run(frame);
    this.raw.push(...result.detections);
    return result;
  }
}

async function runCamera(detector: Detector, detections: string) {
  const cfg = parseConfig(
    `
site: s1
cameras:
  - id: cam-filter
    source: { url: media:hcmc_street_wrongway.mp4, realtime: false, loop: false }
    fps: 5
    detections: ${detections}
`,
    'filter-test.yaml',
    EdgeConfigSchema,
    { env: {} },
  );
  const camera = cfg.cameras[0]!;
  const pool = new RecordingPool(detector);
  const pipeline = new CameraPipeline({
    site: 's1',
    camera,
    source: resolveSourceUrl(camera.source.url),
    pool,
    timezone: 'Asia/Ho_Chi_Minh',
    log: logger('test', { camera: camera.id }),
    emitEvent: () => undefined,
    emitStatus: () => undefined,
  });
  pipeline.start();
  await pipeline.ended;
  await pipeline.stop();
  return { raw: pool.raw, stats: pipeline.stats };
}

describe('per-camera detection filters in the pipeline', () => {
  let detector: Detector;
  beforeAll(async () => {
    const cfg = detectorConfig({ model: 'yolox_nano' });
    detector = await createDetector(resolveModel(cfg), cfg);
  });
  afterAll(async () => {
    await detector?.close();
  });

  it('with no filter every detection reaches the tracker', async () => {
    const { raw, stats } = await runCamera(detector, '{}');
    expect(stats.framesProcessed).toBeGreaterThan(20);
    expect(raw.length).toBeGreaterThan(stats.framesProcessed);
    expect(stats.detections).toBe(raw.length);
  }, 120_000);

  it('classes, minimum height and a mask over the left half keep exactly what they should', async () => {
    const { raw, stats } = await runCamera(
      detector,
      '{ classes: [motorcycle, car], minBoxHeightNorm: 0.05, masks: [[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]] }',
    );
    const kept = raw.filter(
      (d) =>
        (d.label === 'motorcycle' || d.label === 'car') &&
        d.boxXyxyNorm[3] - d.boxXyxyNorm[1] >= 0.05 &&
        (d.boxXyxyNorm[0] + d.boxXyxyNorm[2]) / 2 > 0.5,
    );
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(raw.length);
    expect(stats.detections).toBe(kept.length);
  }, 120_000);

  it('an unknown class in a camera filter fails at start naming the camera field', async () => {
    await expect(runCamera(detector, '{ classes: [xe_om] }')).rejects.toThrow(
      "cameras.cam-filter.detections.classes: unknown class 'xe_om'",
    );
  });
});
