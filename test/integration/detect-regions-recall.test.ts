// Full-frame vs region detection on the labelled riders and vehicles (test/fixtures/riders-labelled.json), default
// detector and tracker: every 5 fps frame of both clips through the production ffmpeg crops, yolox_nano and
// ByteTrack (benchmarks/region-recall.ts). Prints the table; asserts what regions must deliver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecallRow, regionRecall } from '../../benchmarks/region-recall.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { detectorConfig } from '../../edge/detect/detector-schema.ts';
import { loadDetector } from '../../edge/detect/load-detector.ts';
import { tempDir } from '../helpers/fixtures.ts';

const WRONGWAY = 'hcmc_street_wrongway.mp4';
const INTERSECTION = 'hcmc_intersection_1080p.mp4';

describe('detection regions on labelled riders and vehicles', () => {
  let detector: Detector;
  let rows: RecallRow[];
  const row = (clip: string, mode: string, kind: string) =>
    rows.find((r) => r.clip === clip && r.mode === mode && r.kind === kind)!;
  beforeAll(async () => {
    detector = (await loadDetector(detectorConfig(), { dataDir: tempDir() })).detector;
    rows = await regionRecall(detector, ['full-frame', 'regions', 'regions-motion']);
    console.table(rows);
  }, 300_000);
  afterAll(async () => {
    await detector?.close();
  });

  it('scored at least 30 labelled riders and vehicles on both clips', () => {
    const objects = rows.filter((r) => r.mode === 'regions').reduce((n, r) => n + r.objects, 0);
    expect(objects).toBeGreaterThanOrEqual(30);
    expect(row(WRONGWAY, 'regions', 'rider').objects).toBeGreaterThan(10);
    expect(row(INTERSECTION, 'regions', 'rider').objects).toBeGreaterThan(10);
  });

  it('regions find more riders than the whole frame squeezed into the model, on both clips', () => {
    for (const clip of [WRONGWAY, INTERSECTION]) {
      expect(row(clip, 'regions', 'rider').detectionRecall).toBeGreaterThan(
        row(clip, 'full-frame', 'rider').detectionRecall,
      );
      expect(row(clip, 'regions', 'rider').trackRecall).toBeGreaterThan(
        row(clip, 'full-frame', 'rider').trackRecall,
      );
    }
  });

  it('regions track at least 0.9 of the intersection riders, without false tracks multiplying', () => {
    expect(row(INTERSECTION, 'regions', 'rider').trackRecall).toBeGreaterThanOrEqual(0.9);
    expect(row(INTERSECTION, 'regions', 'vehicle').detectionRecall).toBeGreaterThanOrEqual(
      row(INTERSECTION, 'full-frame', 'vehicle').detectionRecall,
    );
    for (const clip of [WRONGWAY, INTERSECTION])
      expect(row(clip, 'regions', 'rider').falseTracks).toBeLessThanOrEqual(
        row(clip, 'full-frame', 'rider').falseTracks + 3,
      );
  });

  it('motion gating skips inference only where nothing moved: no fewer riders found or tracked', () => {
    for (const clip of [WRONGWAY, INTERSECTION]) {
      const gated = row(clip, 'regions-motion', 'rider');
      const full = row(clip, 'regions', 'rider');
      expect(gated.inferences).toBeLessThanOrEqual(full.inferences);
      expect(gated.detectionRecall).toBeGreaterThanOrEqual(full.detectionRecall - 0.02);
      expect(gated.trackRecall).toBeGreaterThanOrEqual(full.trackRecall - 0.02);
    }
    // The street clip's screen recording repeats frames (0.4-1.3 s): those crops are skipped.
    expect(row(WRONGWAY, 'regions-motion', 'rider').inferences).toBeLessThan(
      row(WRONGWAY, 'regions', 'rider').inferences,
    );
  });
});
