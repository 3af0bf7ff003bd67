// red_light on the real clip: ffmpeg on hcmc_intersection_1080p.mp4 at 5 fps, yolox_nano, the pipeline's tracker,
// a stop line drawn on the painted line at the crosswalk and the signal forced red through the config. A second
// rule (zone_dwell over the whole picture, dwell 0) captures every confirmed track's path in parallel, so the
// test can tell crossing tracks from tracks that stayed behind without hard-coding ids.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../central/broker/embedded-broker.ts';
import { parseConfig } from '../../config/load.ts';
import type { MatthanEvent } from '../../contract/index.ts';
import { CameraPipeline } from '../../edge/camera-pipeline.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { cameraCrops } from '../../edge/detect/crop-detector.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { DetectorPool } from '../../edge/detect/detector-pool.ts';
import { loadDetector } from '../../edge/detect/load-detector.ts';
import { frameFilter } from '../../edge/ingest/ffmpeg-args.ts';
import { contentRect, type FrameSpec } from '../../edge/ingest/frame.ts';
import { recordClip } from '../../edge/ingest/record-clip.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { startEdge } from '../../edge/main.ts';
import { createSignalSource } from '../../edge/signal/create-signal-source.ts';
import { readLamp, regionToPixels } from '../../edge/signal/lamp-colour.ts';
import { logger } from '../../lib/log.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { media, tempDir } from '../helpers/fixtures.ts';
import {
  crossersWithoutEvent,
  crossesFromBehind,
  depthBehind,
  firstSeenOnLine,
  HCMC_APPROACH,
  HCMC_STOP_LINE,
  onTheLineTracks,
  onTheLineWithEvent,
  sideOfStopLine,
} from '../helpers/hcmc-stop-line.ts';

/**
 * The painted stop line in front of the crosswalk (its queue-side edge, read off the frames as
 * test/helpers/hcmc-stop-line.ts says): y = 0.630 at the left edge to y = 0.665 at the right edge. Vehicles wait
 * below it and leave up the frame.
 */
const STOP_LINE: [number, number][] = HCMC_STOP_LINE;
const APPROACH: [number, number] = HCMC_APPROACH;
const CLASSES = '[car, motorcycle, bus, truck]';

const CONFIG = `
site: hcmc-d1
cameras:
  - id: cam-stop
    source: { url: media:hcmc_intersection_1080p.mp4, realtime: false, loop: false }
    fps: 5
    # In region mode (the stop line and its approach side, tiled, plus the whole frame): red_light must hold there.
    regions: { mode: auto }
    ring: { enabled: false }
    signal: { source: fixed, state: red }
    zones: [{ id: everywhere, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }]
    lines: [{ id: stop-line, points: ${JSON.stringify(STOP_LINE)} }]
    rules:
      - { id: red-light, type: red_light, line: stop-line, approachPoint: ${JSON.stringify(APPROACH)}, classes: ${CLASSES} }
      - { id: all-tracks, type: zone_dwell, zone: everywhere, dwellS: 0, classes: ${CLASSES} }
`;

interface Run {
  events: MatthanEvent[];
  firstFrameTs: number;
  frames: number;
  /** The signal state the rules saw on each frame, with the frame's clip time. */
  states: { tSec: number; state: string }[];
}

/**
 * The real pipeline, wired to the signal source as edge/main.ts wires it, on every 5 fps frame of the clip as the
 * production ffmpeg source decodes it (detection crops included), in order: in region mode a frame costs five
 * inferences, and a live run would skip frames on a loaded machine (latest frame wins).
 */
async function runClip(detector: Detector, configYaml = CONFIG): Promise<Run> {
  const cfg = parseConfig(configYaml, 'red-light-test.yaml', EdgeConfigSchema, { env: {} });
  const camera = cfg.cameras[0]!;
  const log = logger('test', { camera: camera.id });
  const signal = createSignalSource(camera.signal, { client: undefined as never, log });
  const events: MatthanEvent[] = [];
  let firstFrameTs = Number.NaN;
  let frames = 0;
  const states: Run['states'] = [];
  const pipeline = new CameraPipeline({
    site: cfg.site,
    camera,
    source: resolveSourceUrl(camera.source.url),
    pool: new DetectorPool(detector),
    timezone: cfg.timezone,
    log,
    emitEvent: (e) => events.push(e),
    emitStatus: () => undefined,
    signal: () => signal!.state(),
    signalFrame: (f) => {
      if (frames++ === 0) firstFrameTs = f.tsMs;
      signal?.onFrame?.(f);
      states.push({ tSec: (f.tsMs - firstFrameTs) / 1000, state: signal!.state() });
    },
  });
  const recorded = await recordClip({
    source: resolveSourceUrl(camera.source.url),
    spec: detector.frameSpec,
    fps: camera.fps,
    planCrops: (w, h) => cameraCrops(camera, detector.frameSpec, w, h),
  });
  for (const frame of recorded) await pipeline.analyse(frame);
  await pipeline.stop();
  if (process.env.RED_LIGHT_DEBUG) console.log('stats', JSON.stringify(pipeline.stats));
  return { events, firstFrameTs, frames, states };
}

/** +1 on the approach side, -1 past the line, 0 on it. */
const side = (p: readonly [number, number]) => sideOfStopLine(p, STOP_LINE);

type P = [number, number];
const pathOf = (e: MatthanEvent): P[] => (e.details?.pathNorm ?? []) as P[];
const lineYAt = (x: number) => STOP_LINE[0]![1] + (STOP_LINE[1]![1] - STOP_LINE[0]![1]) * x;

describe('red_light on the HCMC intersection clip, signal forced red', () => {
  let detector: Detector;
  let run: Run;
  let redLight: MatthanEvent[];
  /** trackId -> the track's path as the parallel all-tracks capture last saw it. */
  const tracks = new Map<number, P[]>();
  /** trackId -> its box height when the all-tracks capture first saw it. */
  const firstHeights = new Map<number, number>();
  beforeAll(async () => {
    const cfg = parseConfig(CONFIG, 'red-light-test.yaml', EdgeConfigSchema, { env: {} });
    detector = (await loadDetector(cfg.detector, { dataDir: tempDir() })).detector;
    run = await runClip(detector);
    redLight = run.events.filter((e) => e.rule === 'red-light');
    for (const e of run.events) {
      if (e.rule !== 'all-tracks' || e.trackId === undefined) continue;
      if (!firstHeights.has(e.trackId)) firstHeights.set(e.trackId, e.boxXyxyNorm[3] - e.boxXyxyNorm[1]);
      if (pathOf(e).length > 0) tracks.set(e.trackId, pathOf(e));
    }
    if (process.env.RED_LIGHT_DEBUG) {
      for (const e of redLight)
        console.log(
          `${e.phase} t=${((e.ts - run.firstFrameTs) / 1000).toFixed(1)}s track=${e.trackId} ${e.label} box=${e.boxXyxyNorm.join(',')}`,
        );
      for (const [id, p] of tracks) console.log(`track ${id}: ${JSON.stringify(p)}`);
    }
  }, 180_000);
  afterAll(async () => {
    await detector?.close();
  });

  it('analysed the clip and captured its tracks', () => {
    expect(run.frames).toBeGreaterThan(40);
    expect(tracks.size).toBeGreaterThan(10);
  });

  it('fires for vehicles crossing the stop line, one instant event per track, carrying what a reviewer needs', () => {
    const starts = redLight.filter((e) => e.phase === 'start');
    // Read off the frames: four cars and two riders cross from behind the line while "red" (the riders only when
    // the tracker keeps them through the frames a loaded machine drops); the vehicles on the line never fire.
    expect(starts.length).toBeGreaterThanOrEqual(4);
    expect(new Set(starts.map((e) => e.trackId)).size).toBe(starts.length);
    expect(redLight.filter((e) => e.phase === 'end')).toHaveLength(starts.length);
    for (const e of starts) {
      expect(e.ruleType).toBe('red_light');
      expect(e.line).toBe('stop-line');
      expect(e.details?.signal).toBe('red');
      expect(['car', 'motorcycle', 'bus', 'truck']).toContain(e.label);
      // Moving up the frame: heading between up-left and up-right.
      expect(e.details?.headingDeg).toBeGreaterThan(-170);
      expect(e.details?.headingDeg).toBeLessThan(-10);
      const tSec = (e.ts - run.firstFrameTs) / 1000;
      expect(tSec).toBeGreaterThanOrEqual(0);
      expect(tSec).toBeLessThanOrEqual(10.5);
    }
  });

  it('every event is a crossing: its path starts on the approach side and ends past the line, its box just past it', () => {
    for (const e of redLight.filter((ev) => ev.phase === 'start')) {
      const path = pathOf(e);
      expect(path.length).toBeGreaterThanOrEqual(3);
      expect(side(path[0]!)).toBe(1);
      expect(side(path.at(-1)!)).toBe(-1);
      // Waiting behind the line, by half its box height at least (the box at the crossing: no bigger than then).
      const h = e.boxXyxyNorm[3] - e.boxXyxyNorm[1];
      expect(Math.max(...path.map((pt) => depthBehind(pt, h, STOP_LINE)))).toBeGreaterThanOrEqual(0.5);
      // Confirmed debounceFrames after the anchor crossed: the box bottom is past the line, but only just.
      const [x1, , x2, y2] = e.boxXyxyNorm;
      const pastBy = lineYAt((x1 + x2) / 2) - y2;
      expect(pastBy).toBeGreaterThan(0);
      expect(pastBy).toBeLessThan(0.08);
    }
  });

  it('no event for a track whose path never leaves the approach side, or never was on it', () => {
    const fired = new Set(redLight.map((e) => e.trackId));
    const behind = [...tracks].filter(([, p]) => p.every((pt) => side(pt) >= 0));
    const bornPast = [...tracks].filter(([, p]) => side(p[0]!) < 0);
    expect(behind.length + bornPast.length).toBeGreaterThan(0);
    for (const [id] of [...behind, ...bornPast]) expect(fired.has(id)).toBe(false);
  });

  it('every well-observed crossing from behind fired (seen behind the line, then past it, in the parallel capture)', () => {
    const fired = new Set(redLight.map((e) => e.trackId));
    const crossing = [...tracks].filter(([id, p]) => crossesFromBehind(p, firstHeights.get(id)!, STOP_LINE));
    expect(crossing.length).toBeGreaterThanOrEqual(4);
    for (const [id] of crossing) expect(fired.has(id), `track ${id}`).toBe(true);
    // Each car queued behind the line at t = 0 (or coming from behind it) that crosses it, by where it was seen.
    expect(crossersWithoutEvent(redLight.filter((e) => e.phase === 'start').map(pathOf))).toEqual([]);
  });

  it('no event for the vehicles standing on the line at t = 0, though they were tracked and drove across it', () => {
    const fired = new Set(redLight.map((e) => e.trackId));
    for (const { vehicle, trackIds, car, crossed } of onTheLineTracks(tracks, STOP_LINE)) {
      for (const id of trackIds) expect(fired.has(id), `${vehicle.what}: track ${id}`).toBe(false);
      // The anchors of the two cars end up past the line: they fired before waitBehindBoxHeights.
      if (car) expect(trackIds.length > 0 && crossed, `${vehicle.what} tracked and crossed`).toBe(true);
    }
    expect(onTheLineWithEvent(redLight.map(pathOf))).toEqual([]);
    // Any track first seen less than 0.4 of its box height behind the line (and never further back) is on it.
    const onLine = [...tracks].filter(([id, p]) => firstSeenOnLine(p, firstHeights.get(id)!, STOP_LINE));
    expect(onLine.length).toBeGreaterThanOrEqual(2);
    for (const [id] of onLine) expect(fired.has(id), `track ${id}`).toBe(false);
  });
});

describe('the signal controller over MQTT drives red_light in the real edge', () => {
  /** Runs startEdge on the clip while a "controller" publishes `payload` on the signal topic every 500 ms. */
  async function runWithController(payload: string) {
    // Only the controller's account may publish the signal topic; the box of its site may read it.
    const creds = new TestCredentials();
    const box = creds.box('hcmc-d1');
    const ctl = creds.controller('hcmc-d1', ['junction/7/signal']);
    const broker = await startEmbeddedBroker({ accounts: creds.accounts() });
    const dir = tempDir('matthan-red-light-');
    const events: MatthanEvent[] = [];
    const sub = await mqtt.connectAsync(broker.url, creds.centralMqtt);
    await sub.subscribeAsync('matthan/v1/+/+/events', { qos: 1 });
    sub.on('message', (_t, p) => events.push(JSON.parse(p.toString()) as MatthanEvent));
    const controller = await mqtt.connectAsync(broker.url, ctl.mqtt);
    const publish = () => controller.publishAsync('junction/7/signal', payload, { qos: 1, retain: true });
    await publish();
    const timer = setInterval(() => void publish(), 500);
    const cfg = parseConfig(
      `
site: hcmc-d1
dataDir: ${JSON.stringify(path.join(dir, 'edge'))}
broker: { url: ${broker.url}, username: ${box.name}, password: ${box.mqttPassword} }
http: { port: 0 }
evidence: { enabled: false }
cameras:
  - id: cam-stop
    source: { url: media:hcmc_intersection_1080p.mp4, realtime: false, loop: false }
    fps: 5
    ring: { enabled: false }
    signal: { source: mqtt, topic: junction/7/signal, staleAfterS: 5 }
    lines: [{ id: stop-line, points: ${JSON.stringify(STOP_LINE)} }]
    rules:
      - { id: red-light, type: red_light, line: stop-line, approachPoint: ${JSON.stringify(APPROACH)}, classes: ${CLASSES} }
`,
      'red-light-mqtt.yaml',
      EdgeConfigSchema,
      { env: {} },
    );
    try {
      const edge = await startEdge(cfg);
      await edge.ended;
      await edge.stop();
      const published = edge.stats().eventsPublished;
      const deadline = Date.now() + 10_000;
      while (events.length < published && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return { events, published };
    } finally {
      clearInterval(timer);
      await sub.endAsync();
      await controller.endAsync();
      await broker.close();
    }
  }

  it('a controller saying {"state":"red"} makes crossings fire', async () => {
    const { events, published } = await runWithController('{"state":"red"}');
    expect(events).toHaveLength(published);
    const starts = events.filter((e) => e.ruleType === 'red_light' && e.phase === 'start');
    // The cars crossing from behind (four, see CROSSING_FROM_BEHIND); none of the vehicles on the line.
    expect(starts.length).toBeGreaterThanOrEqual(3);
    expect(onTheLineWithEvent(starts.map(pathOf))).toEqual([]);
    for (const e of starts) expect(e.details?.signal).toBe('red');
    // Every message of every red_light event says which source vouched for the red (issue 16).
    for (const e of events.filter((x) => x.ruleType === 'red_light'))
      expect(e.details?.signalSource).toBe('mqtt:junction/7/signal');
  }, 180_000);

  it('an unparseable controller payload means unknown: no red-light event at all', async () => {
    const { events } = await runWithController('{"state":"blinking"}');
    expect(events.filter((e) => e.ruleType === 'red_light')).toEqual([]);
  }, 180_000);
});

describe('lamp colour test on real frames of the clip', () => {
  // The far signal head top-right (x 0.716-0.722, y 0.052-0.058 of the picture, about 11 x 6 pixels at 1080p):
  // looked at in frames at 0.4 s (green lamp lit), 3 s (no lamp lit in view) and 6 s (red lamp lit). Red and
  // green show in the same few pixels, so one box serves both colours.
  const LAMP: [number, number, number, number] = [0.716, 0.052, 0.722, 0.058];
  const T = { minBrightness: 120, minSaturation: 0.35, minFraction: 0.08 };

  function frameAt(tSec: number, spec: FrameSpec) {
    const content = contentRect(spec, 1920, 1080);
    const data = execFileSync(
      'ffmpeg',
      [
        '-v',
        'error',
        '-ss',
        String(tSec),
        '-i',
        media('hcmc_intersection_1080p.mp4'),
        '-frames:v',
        '1',
      ].concat(['-vf', frameFilter(spec, content, 5), '-f', 'rawvideo', '-']),
      { maxBuffer: spec.width * spec.height * 3 + 1024 },
    );
    return { content, img: { width: spec.width, height: spec.height, pixelFormat: spec.pixelFormat, data } };
  }

  it.each([
    // yolox_nano's own input: 416x416 bgr24, letterboxed top-left (the lamp is 4 x 2 pixels there).
    ['model-size frame at 0.4 s', 0.4, 416, 416, 'green'],
    ['model-size frame at 3.0 s', 3.0, 416, 416, undefined],
    ['model-size frame at 6.0 s', 6.0, 416, 416, 'red'],
    ['model-size frame at 9.0 s', 9.0, 416, 416, 'red'],
    // Full resolution (a bigger model input or a crop): the same verdicts with 66 pixels to go on.
    ['1080p frame at 0.4 s', 0.4, 1920, 1080, 'green'],
    ['1080p frame at 3.0 s', 3.0, 1920, 1080, undefined],
    ['1080p frame at 6.0 s', 6.0, 1920, 1080, 'red'],
  ] as [string, number, number, number, string | undefined][])('%s', (_n, t, w, h, expected) => {
    const spec: FrameSpec = {
      width: w,
      height: h,
      pixelFormat: 'bgr24',
      fit: 'letterbox-topleft',
      padValue: 114,
    };
    const { content, img } = frameAt(t, spec);
    const rect = regionToPixels(LAMP, content, w, h);
    expect(readLamp(img, { red: rect, green: rect }, T)).toBe(expected);
  });
});

describe('lamp signal source in the real pipeline (the far head, top right)', () => {
  let detector: Detector;
  let run: Run;
  beforeAll(async () => {
    const yaml = CONFIG.replace(
      'signal: { source: fixed, state: red }',
      'signal: { source: lamp, redRegionNorm: [0.716, 0.052, 0.722, 0.058], greenRegionNorm: [0.716, 0.052, 0.722, 0.058] }',
    );
    const cfg = parseConfig(yaml, 'red-light-lamp.yaml', EdgeConfigSchema, { env: {} });
    detector = (await loadDetector(cfg.detector, { dataDir: tempDir() })).detector;
    run = await runClip(detector, yaml);
  }, 180_000);
  afterAll(async () => {
    await detector?.close();
  });

  it('reads green at the start, red from ~4.5 s on, never red before, and red_light fires only while it reads red', () => {
    const at = (from: number, to: number) =>
      run.states.filter((s) => s.tSec >= from && s.tSec < to).map((s) => s.state);
    // Frames looked at: green lamp lit until ~1.3 s, no lamp lit in view 1.5-4.4 s (amber is out of view), red after.
    expect(at(0.6, 1.2).every((s) => s === 'green')).toBe(true); // after the 3-frame hysteresis
    expect(at(0, 4.4)).not.toContain('red');
    expect(at(2.5, 4.4).every((s) => s === 'unknown')).toBe(true);
    expect(at(5.5, 11).every((s) => s === 'red')).toBe(true);
    const stateAt = (tSec: number) =>
      run.states.reduce((best, s) => (Math.abs(s.tSec - tSec) < Math.abs(best.tSec - tSec) ? s : best));
    const starts = run.events.filter((e) => e.rule === 'red-light' && e.phase === 'start');
    expect(starts.length).toBeGreaterThan(0);
    for (const e of starts) expect(stateAt((e.ts - run.firstFrameTs) / 1000).state).toBe('red');
  });
});
