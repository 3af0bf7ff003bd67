// Runs a clip through the real camera pipeline (ffmpeg, yolox_nano, tracker, rules, view guard) and records the
// events and the view guard's status on every analysed frame, with the frame's clip time.
import { execFileSync } from 'node:child_process';
import { parseConfig } from '../../config/load.ts';
import type { MatthanEvent, ViewStatus } from '../../contract/index.ts';
import { CameraPipeline } from '../../edge/camera-pipeline.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { DetectorPool } from '../../edge/detect/detector-pool.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { createSignalSource } from '../../edge/signal/create-signal-source.ts';
import { logger } from '../../lib/log.ts';

export interface ViewRun {
  events: MatthanEvent[];
  firstFrameTs: number;
  /** The guard's status after each analysed frame (undefined with the guard off). */
  frames: { tSec: number; view: ViewStatus | undefined }[];
  /** Status changes the guard reported, with their clip time. */
  changes: { tSec: number; view: ViewStatus }[];
  /** Clip time of an epoch-ms frame time. */
  tSec(ts: number): number;
}

/** Camera YAML for one camera `cam` on `url` (red_light on `line`, plus an all-tracks capture). */
export function redLightCamera(url: string, line: [number, number][], extra = ''): string {
  const classes = '[car, motorcycle, bus, truck]';
  return `
site: hcmc-d1
cameras:
  - id: cam
    source: { url: ${JSON.stringify(url)}, realtime: false, loop: false }
    fps: 5
    ring: { enabled: false }
    # Whole-frame detection: these tests measure the view guard, and with the default regions (2x2 tiles and the
    # whole frame) a file read flat out has the pipeline skip frames the guard's figures are counted on.
    regions: { mode: frame }
    signal: { source: fixed, state: red }
    zones: [{ id: everywhere, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }]
    lines: [{ id: stop-line, points: ${JSON.stringify(line)} }]
    rules:
      - { id: red-light, type: red_light, line: stop-line, approachPoint: [0.5, 0.95], classes: ${classes} }
      - { id: all-tracks, type: zone_dwell, zone: everywhere, dwellS: 0, classes: ${classes} }
${extra}`;
}

export async function runView(detector: Detector, yaml: string): Promise<ViewRun> {
  const cfg = parseConfig(yaml, 'view-guard-test.yaml', EdgeConfigSchema, { env: {} });
  const camera = cfg.cameras[0]!;
  const log = logger('test', { camera: camera.id });
  const signal = createSignalSource(camera.signal, { client: undefined as never, log });
  const events: MatthanEvent[] = [];
  const frames: ViewRun['frames'] = [];
  const changes: { ts: number; view: ViewStatus }[] = [];
  let firstFrameTs = Number.NaN;
  let pipeline: CameraPipeline | undefined;
  pipeline = new CameraPipeline({
    site: cfg.site,
    camera,
    source: resolveSourceUrl(camera.source.url),
    pool: new DetectorPool(detector),
    timezone: cfg.timezone,
    log,
    emitEvent: (e) => events.push(e),
    emitStatus: () => undefined,
    signal: signal ? () => signal.state() : undefined,
    onViewChange: (view) => changes.push({ ts: view.sinceTs, view }),
    // Called after the view guard's step on every processed frame.
    signalFrame: (f) => {
      if (Number.isNaN(firstFrameTs)) firstFrameTs = f.tsMs;
      frames.push({ tSec: (f.tsMs - firstFrameTs) / 1000, view: pipeline?.view?.status() });
    },
  });
  pipeline.start();
  await pipeline.ended;
  await pipeline.stop();
  const tSec = (ts: number) => (ts - firstFrameTs) / 1000;
  return {
    events,
    firstFrameTs,
    frames,
    changes: changes.map((c) => ({ tSec: tSec(c.ts), view: c.view })),
    tSec,
  };
}

/** Encodes `filter` (a -filter_complex graph from [0] to [out]) of `input` into `output` (H.264, fast). */
export function renderClip(input: string, filter: string, output: string): void {
  execFileSync(
    'ffmpeg',
    ['-v', 'error', '-y', '-i', input, '-filter_complex', filter, '-map', '[out]', '-an'].concat([
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '18',
      '-threads',
      '1',
      output,
    ]),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}
