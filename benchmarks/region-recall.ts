// Full-frame vs region detection on the labelled riders and vehicles (test/fixtures/riders-labelled.json), with the
// default detector and tracker: every 5 fps frame of each clip decoded by the production ffmpeg source, detected in
// order (no frame dropped), tracked by ByteTrack, scored by label-recall.ts.
// Run: npx tsx benchmarks/region-recall.ts   (prints one row per clip, mode and kind)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../config/load.ts';
import { type CameraConfig, EdgeConfigSchema } from '../edge/config/schema.ts';
import { cameraCrops, detectFrame } from '../edge/detect/crop-detector.ts';
import type { Detector } from '../edge/detect/detector.ts';
import { DetectorPool } from '../edge/detect/detector-pool.ts';
import { detectorConfig } from '../edge/detect/detector-schema.ts';
import { MotionGate } from '../edge/detect/motion-gate.ts';
import { recordClip } from '../edge/ingest/record-clip.ts';
import { resolveSourceUrl } from '../edge/ingest/source-url.ts';
import { ByteTrack } from '../edge/track/byte-track.ts';
import { REPO_ROOT } from '../models/asset-dirs.ts';
import {
  falseTracks,
  type KindScore,
  type LabelledClip,
  type SeenFrame,
  scoreLabels,
} from './label-recall.ts';

export const LABELS_FILE = path.join(REPO_ROOT, 'test/fixtures/riders-labelled.json');
const FPS = 5;

/** The geometry each clip is analysed with: the HCMC street example's, and the red_light test's stop line. */
export const CLIP_CAMERAS: Record<string, string> = {
  'hcmc_street_wrongway.mp4': `
    zones: [{ id: carriageway, polygon: [[0.57, 0.04], [0.71, 0.04], [0.98, 1.0], [0.03, 1.0]] }]
    lines: [{ id: median-edge, points: [[0.02, 1.0], [0.3, 0.5], [0.56, 0.05]] }]`,
  'hcmc_intersection_1080p.mp4': `
    zones: [{ id: everywhere, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }]
    lines: [{ id: stop-line, points: [[0, 0.63], [1, 0.665]] }]
    rules:
      - { id: red-light, type: red_light, line: stop-line, approachPoint: [0.5, 0.9] }`,
};

/** Detection modes compared: the camera's `regions` block of each. */
export const VARIANTS: Record<string, string> = {
  'full-frame': '{ mode: frame }',
  regions: '{ mode: auto }',
  'regions-3x3': '{ mode: auto, tiles: { columns: 3, rows: 3 } }',
  'regions-motion': '{ mode: auto, motionGate: { enabled: true } }',
};

/** The clip's camera with default detector and tracker settings and the given `regions` block (YAML). */
export function clipCamera(clip: string, regions: string): CameraConfig {
  const yaml = `
site: bench
cameras:
  - id: cam
    source: { url: 'media:${clip}' }
    fps: ${FPS}
    regions: ${regions}
${CLIP_CAMERAS[clip]!}
`;
  return parseConfig(yaml, 'region-recall.yaml', EdgeConfigSchema, { env: {} }).cameras[0]!;
}

export interface ClipRun {
  seen: SeenFrame[];
  crops: number;
  frames: number;
  /** Inferences run per frame, mean over frames (motion gating skips some). */
  inferencesPerFrame: number;
  /** Inference ms summed over the crops of a frame, mean over frames. */
  inferenceMsPerFrame: number;
}

/** Every frame of the clip through crops (as planned for the camera), detector and the camera's default tracker. */
export async function runClip(detector: Detector, camera: CameraConfig): Promise<ClipRun> {
  const pool = new DetectorPool(detector);
  let crops = 0;
  const frames = await recordClip({
    source: resolveSourceUrl(camera.source.url),
    spec: detector.frameSpec,
    fps: FPS,
    planCrops: (w, h) => {
      const planned = cameraCrops(camera, detector.frameSpec, w, h);
      crops = planned.length;
      return planned;
    },
  });
  const tracker = new ByteTrack(camera.tracker);
  const mg = camera.regions.motionGate;
  const motion = mg.enabled
    ? {
        gate: new MotionGate({ ...mg, refreshMs: mg.refreshS * 1000 }),
        last: new Map(),
      }
    : undefined;
  const seen: SeenFrame[] = [];
  let inferenceMs = 0;
  for (const [i, frame] of frames.entries()) {
    const { detections, timings } = await detectFrame(pool, frame, {
      nmsIou: detectorConfig().nmsIou,
      wholeFrame: camera.regions.wholeFrame,
      motion,
    });
    inferenceMs += timings.inferenceMs;
    const tracks = tracker.update(detections, i * (1000 / FPS));
    seen.push({
      tS: i / FPS,
      detections: detections.map((d) => ({ label: d.label, box: d.boxXyxyNorm, score: d.score })),
      tracks: tracks
        .filter((t) => t.confirmed)
        .map((t) => ({ id: t.id, label: t.label, box: t.boxXyxyNorm })),
    });
  }
  return {
    seen,
    crops,
    frames: frames.length,
    inferenceMsPerFrame: inferenceMs / frames.length,
    inferencesPerFrame: motion
      ? motion.gate.ran / frames.length
      : crops === 0
        ? 1
        : crops + (camera.regions.wholeFrame ? 1 : 0),
  };
}

export interface RecallRow extends KindScore {
  clip: string;
  mode: string;
  kind: string;
  /** Inferences per frame: the crops, plus the whole frame when regions.wholeFrame adds it. */
  inferences: number;
  inferenceMsPerFrame: number;
  /** Confirmed tracks in the roi that cover no labelled object (per clip and mode, on both kinds' rows). */
  falseTracks: number;
}

export function loadLabels(): Record<string, LabelledClip> {
  return (JSON.parse(readFileSync(LABELS_FILE, 'utf8')) as { clips: Record<string, LabelledClip> }).clips;
}

/** One row per clip, mode and kind. */
export async function regionRecall(
  detector: Detector,
  modes: readonly string[] = Object.keys(VARIANTS),
): Promise<RecallRow[]> {
  const rows: RecallRow[] = [];
  for (const [clip, labels] of Object.entries(loadLabels())) {
    for (const mode of modes) {
      const camera = clipCamera(clip, VARIANTS[mode]!);
      const run = await runClip(detector, camera);
      for (const kind of ['rider', 'vehicle'] as const) {
        rows.push({
          clip,
          mode,
          kind,
          inferences: Math.round(run.inferencesPerFrame * 100) / 100,
          inferenceMsPerFrame: Math.round(run.inferenceMsPerFrame * 10) / 10,
          ...scoreLabels(labels.frames, run.seen, kind),
          falseTracks: falseTracks(labels, run.seen),
        });
      }
    }
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { loadDetector } = await import('../edge/detect/load-detector.ts');
  const { tempDir } = await import('../test/helpers/fixtures.ts');
  const { detector } = await loadDetector(detectorConfig(), { dataDir: tempDir() });
  const rows = await regionRecall(detector);
  console.table(rows);
  await detector.close();
}
