// View guard cost: the 1080p clip's frames at 5 fps through the production filter graph and detector (yolox_nano,
// the edge's camera-shaped input), then the same frames and detections through the guard stage at its defaults and
// without its per-frame check; and a copy of the clip whose view slides 40 px over 5 s. The guard's CPU per analysed
// frame is reported as a share of the inference CPU per frame, both measured in this run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../config/load.ts';
import { EdgeConfigSchema } from '../edge/config/schema.ts';
import { clipFrames } from '../edge/detect/clip-frames.ts';
import type { Detection } from '../edge/detect/detection.ts';
import type { Detector } from '../edge/detect/detector.ts';
import { loadDetector } from '../edge/detect/load-detector.ts';
import type { Frame } from '../edge/ingest/frame.ts';
import { resolveSourceUrl } from '../edge/ingest/source-url.ts';
import { loadOpenCv } from '../edge/view/opencv.ts';
import { ViewGuardStage } from '../edge/view/view-guard-stage.ts';
import { logger } from '../lib/log.ts';
import { percentile, round } from './bench-util.ts';

const CLIP = 'hcmc_intersection_1080p.mp4';
const FPS = 5;
/** The whole clip (10.4 s) at 5 fps: two periodic full measurements fall inside at the defaults. */
const FRAMES = 60;
/** The first frames pay for lazy allocations and the reference capture: left out of the means. */
const WARMUP = 3;
/** A 1600x900 window sliding 40 px right over the first 5 s (the view-guard-motion test's slide). */
const SLIDE = "[0]crop=1600:900:x='100+min(t\\,5)*8':y=90[out]";

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

const cameraYaml = (viewGuard: string) => `
site: bench
cameras:
  - id: cam
    source: { url: media:${CLIP} }
    fps: ${FPS}
    viewGuard: ${viewGuard}
`;

interface Clip {
  frames: Frame[];
  detections: Detection[][];
  /** onnxruntime's CPU per frame (the detect call's CPU less its pre- and post-processing on this thread). */
  inferenceCpuMs: number[];
}

async function detectClip(detector: Detector, file: string): Promise<Clip> {
  const frames = await clipFrames(file, detector.frameSpec, FRAMES, FPS);
  for (let i = 0; i < 2; i++) await detector.detect(frames[i]!);
  const detections: Detection[][] = [];
  const inferenceCpuMs: number[] = [];
  for (const f of frames) {
    const c0 = process.cpuUsage();
    detections.push(await detector.detect(f));
    const c = cpuMs(process.cpuUsage(c0));
    const t = detector.lastTimings;
    inferenceCpuMs.push(Math.max(0, c - t.preprocessMs - t.postprocessMs));
  }
  return { frames, detections, inferenceCpuMs };
}

/** The clip's frames and detections through one guard stage, as the camera pipeline calls it. */
async function replay(clip: Clip, viewGuard: string, inferenceCpu: number) {
  const camera = parseConfig(cameraYaml(viewGuard), 'bench', EdgeConfigSchema).cameras[0]!;
  const stage = new ViewGuardStage(camera.viewGuard, { cameraId: 'cam', log: logger('bench') });
  const cpu: number[] = [];
  const wall: number[] = [];
  const full: boolean[] = [];
  try {
    for (let i = 0; i < clip.frames.length; i++) {
      const before = stage.stats.estimates;
      const w0 = performance.now();
      const c0 = process.cpuUsage();
      await stage.step(clip.frames[i]!, clip.detections[i]!);
      cpu.push(cpuMs(process.cpuUsage(c0)));
      wall.push(performance.now() - w0);
      full.push(stage.stats.estimates > before);
    }
  } finally {
    stage.close();
  }
  const steady = cpu.slice(WARMUP);
  const guardCpu = mean(steady);
  const pick = (fullOnes: boolean) => steady.filter((_, i) => full[i + WARMUP] === fullOnes);
  const s = stage.stats;
  return {
    frames: steady.length,
    cpuMsPerFrame: round(guardCpu, 3),
    cpuShareOfInference: round(guardCpu / inferenceCpu, 3),
    fullMeasurements: pick(true).length,
    checkOnlyFrames: s.checks,
    cpuMsPerFullMeasurement: round(mean(pick(true)), 2),
    cpuMsPerOtherFrame: round(mean(pick(false)), 3),
    // The event loop is blocked for a step's wall time: the longest is what the box's other cameras wait for.
    stepWallMsP50: round(
      percentile(
        [...wall.slice(WARMUP)].sort((a, b) => a - b),
        50,
      ),
      2,
    ),
    stepWallMsMax: round(Math.max(...wall.slice(WARMUP)), 2),
    pausedFrames: s.pausedFrames,
    finalState: stage.status()?.state,
  };
}

export async function benchViewGuard() {
  const t0 = performance.now();
  await loadOpenCv();
  const openCvLoadMs = performance.now() - t0;
  const base = parseConfig(cameraYaml('{}'), 'bench', EdgeConfigSchema);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'matthan-bench-view-'));
  try {
    const { detector } = await loadDetector(base.detector, { dataDir: dir });
    let still: Clip;
    let slide: Clip;
    try {
      const input = resolveSourceUrl(`media:${CLIP}`).input;
      const slideFile = path.join(dir, 'slide.mp4');
      execFileSync(
        'ffmpeg',
        ['-v', 'error', '-y', '-i', input, '-filter_complex', SLIDE, '-map', '[out]', '-an'].concat([
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-crf',
          '18',
          '-threads',
          '1',
          slideFile,
        ]),
      );
      still = await detectClip(detector, input);
      slide = await detectClip(detector, slideFile);
    } finally {
      await detector.close();
    }
    const { width, height } = detector.frameSpec;
    const inferenceCpu = mean([...still.inferenceCpuMs, ...slide.inferenceCpuMs]);
    const rows: Record<string, unknown>[] = [];
    // Once unreported: an edge runs for days, so the figures are those of code the JIT has compiled.
    await replay(still, '{}', inferenceCpu);
    for (const [name, clip, vg] of [
      ['default, still view', still, '{}'],
      ['no check (a full measurement every 400 ms), still view', still, '{ fullEveryS: 0 }'],
      ['default, view sliding 40 px over 5 s', slide, '{}'],
    ] as const) {
      rows.push({ guard: name, ...(await replay(clip, vg, inferenceCpu)) });
      process.stderr.write(`view-guard ${name}: ${JSON.stringify(rows.at(-1))}\n`);
    }
    return {
      clip: `${CLIP} at ${FPS} fps, ${still.frames.length} frames, yolox_nano ${width}x${height}`,
      openCvLoadMs: round(openCvLoadMs),
      inferenceCpuMsPerFrame: round(inferenceCpu),
      rows,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchViewGuard(), null, 2));
}
