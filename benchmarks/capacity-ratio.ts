// Capacity as a ratio to the box's own limit: per clip and detection mode, the bare CPU a camera-second costs
// here (ffmpeg decode+scale at the analysis fps, bare session.run), the camera count that implies on this box's
// cores, the count the real edge sustains (short runs, searched), and the ratio of the two (efficiency).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { clipFrames } from '../edge/detect/clip-frames.ts';
import { createDetector } from '../edge/detect/create-detector.ts';
import { cameraCrops } from '../edge/detect/crop-detector.ts';
import { type DetectorConfig, detectorConfig } from '../edge/detect/detector-schema.ts';
import { hwcToChw } from '../edge/detect/hwc-to-chw.ts';
import { loadSession } from '../edge/detect/onnx-session.ts';
import { ffmpegArgs, type SkipFrames, sampler } from '../edge/ingest/ffmpeg-args.ts';
import type { FrameSpec } from '../edge/ingest/frame.ts';
import { probeVideo } from '../edge/ingest/probe.ts';
import { resolveSourceUrl } from '../edge/ingest/source-url.ts';
import { startEdge } from '../edge/main.ts';
import { deriveModel, withInputShape } from '../models/derived-model.ts';
import { resolveModel } from '../models/resolve.ts';
import { benchBroker, benchEdgeConfig, round, sleep, treeRssMb } from './bench-util.ts';
import { isSustained, MAX_DROP_RATIO, MIN_FPS_RATIO } from './capacity.ts';
import { searchCapacity } from './capacity-search.ts';
import { machineBusyCpuS, treeCpuS } from './cpu-times.ts';
import { substreamOf } from './substream.ts';

const FPS = 5;
const WARMUP_MS = 2000;
const MEASURE_MS = 6000;
/** The search starts at this share of the bare limit and never runs more than this multiple of it. */
const GUESS_EFFICIENCY = 0.9;
const MAX_OVER_LIMIT = 1.3;
const BARE_DECODE_RUNS = 2;
const BARE_INFERENCE_BUDGET_MS = 2500;
const BARE_INFERENCE_MIN_RUNS = 20;

/** A way of running detection; the regions and motion-gating modes plug in here with their config fields. */
export interface CapacityMode {
  name: string;
  /** Detector fields over the defaults (e.g. inputShape). */
  detector: Partial<DetectorConfig>;
  /** Camera source fields over the clip's (decode options), per clip; undefined: the mode does not apply. */
  source?: (clip: string) => Promise<Record<string, unknown> | undefined>;
  /** Only run when named on the command line (measured once, not worth the bench's time every run). */
  extra?: boolean;
  /** Camera fields (detection regions and the zones they follow); default: whole-frame detection. */
  camera?: Record<string, unknown>;
}

/** A zone over the whole picture: the automatic detection region is then the whole frame, tiled. */
const EVERYWHERE = [
  {
    id: 'everywhere',
    polygon: [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ],
  },
];

const SHAPED = { inputShape: { width: 416, height: 256 } };

/** Today's full-frame mode first (the baseline of the gains), then the ways to a higher limit. */
export const MODES: CapacityMode[] = [
  {
    name: 'full-frame 416x416',
    detector: { inputShape: { width: 416, height: 416 } },
    camera: { regions: { mode: 'frame' } },
  },
  { name: 'camera-shaped 416x256', detector: SHAPED, camera: { regions: { mode: 'frame' } } },
  // Detection regions over a whole-frame zone (1080p: 2x2 tiles + the whole frame, 5 inferences a frame).
  { name: 'regions 416x256', detector: SHAPED, camera: { zones: EVERYWHERE, regions: { mode: 'auto' } } },
  {
    name: 'regions, motion-gated 416x256',
    detector: SHAPED,
    camera: { zones: EVERYWHERE, regions: { mode: 'auto', motionGate: { enabled: true } } },
  },
  {
    name: 'regions 3x3 416x256',
    detector: SHAPED,
    camera: { zones: EVERYWHERE, regions: { mode: 'auto', tiles: { columns: 3, rows: 3 } } },
  },
  {
    // A 1080p camera's 640x360 substream for the detector, the main stream for the ring (source.analysisUrl).
    name: 'camera-shaped, 360p substream',
    detector: SHAPED,
    camera: { regions: { mode: 'frame' } },
    source: async (clip) => {
      const { height } = await probeVideo(resolveSourceUrl(`media:${clip}`).input);
      return height > 360
        ? { analysisUrl: await substreamOf(resolveSourceUrl(`media:${clip}`).input) }
        : undefined;
    },
  },
  {
    name: 'camera-shaped, decoders nice 10',
    detector: SHAPED,
    source: async () => ({ decodeNice: 10 }),
    extra: true,
  },
  { name: 'camera-shaped, 1 thread', detector: { ...SHAPED, intraOpThreads: 1 }, extra: true },
  {
    name: 'camera-shaped, 1 thread, decoders nice 10',
    detector: { ...SHAPED, intraOpThreads: 1 },
    source: async () => ({ decodeNice: 10 }),
    extra: true,
  },
];

export const CLIPS = ['hcmc_intersection_1080p.mp4', 'us_street_intersection_360p.mp4'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** ffmpeg's user+sys CPU seconds (from its rusage, through /usr/bin/time) for one run of `args`, output discarded. */
export function ffmpegCpuS(args: string[]): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'matthan-bench-time-'));
  const out = path.join(dir, 'time');
  return new Promise<number>((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', out, 'ffmpeg', ...args], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        const m = /([\d.]+) ([\d.]+)/.exec(readFileSync(out, 'utf8'));
        if (code !== 0 || !m) reject(new Error(`ffmpeg ${args.join(' ')} exited ${code}`));
        else resolve(Number(m[1]) + Number(m[2]));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** Seconds of video in a file (ffprobe's format duration). */
export async function clipDurationS(file: string): Promise<number> {
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
    let text = '';
    c.stdout.on('data', (d: Buffer) => {
      text += d.toString();
    });
    c.on('error', reject);
    c.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`ffprobe ${file} exited ${code}`)),
    );
  });
  const s = Number(out.trim());
  if (!(s > 0)) throw new Error(`${file}: no duration (${out.trim()})`);
  return s;
}

/** CPU ms ffmpeg spends per second of the clip: the production decode+sample+scale graph, as fast as it goes. */
async function bareDecodeCpuMsPerCamS(
  clip: string,
  spec: FrameSpec,
  source: Record<string, unknown>,
  fps = FPS,
  runs = BARE_DECODE_RUNS,
  crops: number[][] = [],
) {
  const resolved = resolveSourceUrl(`media:${clip}`);
  const durationS = await clipDurationS(resolved.input);
  const analysis = typeof source.analysisUrl === 'string' ? resolveSourceUrl(source.analysisUrl) : undefined;
  const args = [
    '-nostdin',
    ...ffmpegArgs({
      source: resolved,
      analysisSource: analysis,
      transport: 'tcp',
      realtime: false,
      loop: false,
      skipLoopFilter: source.skipLoopFilter === true,
      skipFrames: source.skipFrames as SkipFrames | undefined,
      spec,
      fps,
      crops,
    }),
  ];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) cpu.push(await ffmpegCpuS(args));
  return (median(cpu) * 1000) / durationS;
}

/** CPU and wall ms of one bare session.run on real frames of the clip (inputs converted before timing). */
async function bareInference(clip: string, file: string, cfg: DetectorConfig, spec: FrameSpec, batch = 1) {
  const frames = await clipFrames(resolveSourceUrl(`media:${clip}`).input, spec, 8);
  const per = 3 * spec.width * spec.height;
  const tensors: ort.Tensor[] = [];
  for (let i = 0; i + batch <= frames.length; i += batch) {
    const data = new Float32Array(per * batch);
    for (let b = 0; b < batch; b++) {
      const f = frames[i + b]!;
      // The whole frame: ffmpeg already padded it, as the detector's input buffer holds it.
      hwcToChw(f.data, data.subarray(b * per, (b + 1) * per), spec.width, spec.height, 1);
    }
    tensors.push(new ort.Tensor('float32', data, [batch, 3, spec.height, spec.width]));
  }
  const session = await loadSession(file, cfg);
  try {
    const name = session.inputNames[0]!;
    for (let i = 0; i < 3; i++) await session.run({ [name]: tensors[i % tensors.length]! });
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let runs = 0;
    while (runs < BARE_INFERENCE_MIN_RUNS || performance.now() - t0 < BARE_INFERENCE_BUDGET_MS) {
      await session.run({ [name]: tensors[runs % tensors.length]! });
      runs++;
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const frames = runs * batch;
    return { cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / frames, wallMsPerFrame: wallMs / frames, runs };
  } finally {
    await session.release();
  }
}

/** Cores not kept busy by anything during one second (the search's starting point on a shared box). */
async function freeCoresNow(cores: number): Promise<number> {
  const a = machineBusyCpuS();
  const t0 = performance.now();
  await sleep(1000);
  const busy = (machineBusyCpuS() - a) / ((performance.now() - t0) / 1000);
  return Math.max(0.2, cores - busy);
}

interface StepResult {
  fpsProcessedPerCamera: number;
  dropRatio: number;
  /** CPU of the edge (node + every ffmpeg) per camera-second, ms. */
  pipelineCpuMsPerCamS: number;
  /** Of that: ffmpeg's (children) per camera-second, and node's (inference, pre/post, tracking) per frame. */
  ffmpegCpuMsPerCamS: number;
  nodeCpuMsPerFrame: number;
  /** Cores the other tenants of the machine kept busy during the run. */
  othersCores: number;
  /** Peak RSS of node and every ffmpeg over the run, per camera. */
  rssPerCameraMb: number;
}

async function step(
  clip: string,
  mode: CapacityMode,
  source: Record<string, unknown>,
  cameras: number,
): Promise<StepResult> {
  const { broker, login } = await benchBroker();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'matthan-bench-ratio-'));
  const edge = await startEdge(
    benchEdgeConfig({
      brokerUrl: broker.url,
      brokerLogin: login,
      clip,
      cameras,
      fps: FPS,
      ring: true,
      dataDir,
      detector: mode.detector,
      source,
      camera: mode.camera,
    }),
  );
  try {
    await sleep(WARMUP_MS);
    const sum = () => {
      const cams = Object.values(edge.stats().cameras);
      return {
        in: cams.reduce((n, c) => n + c.framesIn, 0),
        processed: cams.reduce((n, c) => n + c.framesProcessed, 0),
        dropped: cams.reduce((n, c) => n + c.framesDropped, 0),
        tree: treeCpuS(),
        node: process.cpuUsage(),
        machine: machineBusyCpuS(),
        t: performance.now(),
      };
    };
    const a = sum();
    let rssPeakMb = 0;
    const sampler = setInterval(() => {
      const r = treeRssMb();
      rssPeakMb = Math.max(rssPeakMb, r.selfMb + r.childrenMb);
    }, 1000);
    await sleep(MEASURE_MS);
    clearInterval(sampler);
    const b = sum();
    const seconds = (b.t - a.t) / 1000;
    const tree = b.tree - a.tree;
    const nodeS = (b.node.user + b.node.system - a.node.user - a.node.system) / 1e6;
    const processed = Math.max(1, b.processed - a.processed);
    return {
      fpsProcessedPerCamera: round((b.processed - a.processed) / seconds / cameras),
      dropRatio: round(b.in - a.in > 0 ? (b.dropped - a.dropped) / (b.in - a.in) : 1, 3),
      pipelineCpuMsPerCamS: round((tree * 1000) / seconds / cameras, 1),
      ffmpegCpuMsPerCamS: round(((tree - nodeS) * 1000) / seconds / cameras, 1),
      nodeCpuMsPerFrame: round((nodeS * 1000) / processed, 2),
      othersCores: round(Math.max(0, b.machine - a.machine - tree) / seconds, 2),
      rssPerCameraMb: round(rssPeakMb / cameras, 1),
    };
  } finally {
    await edge.stop();
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface RatioRow {
  clip: string;
  mode: string;
  input: string;
  inferencesPerFrame: number;
  decodeCpuMsPerCamS: number;
  inferenceCpuMsPerFrame: number;
  inferenceWallMsPerFrame: number;
  /** Bare CPU ms per camera-second: decode + fps x inference. */
  bareCpuMsPerCamS: number;
  /** Cameras one core carries at the bare cost (multiply by your cores). */
  bareCamerasPerCore: number;
  /** cores / bare CPU per camera-second. */
  bareLimit: number;
  camerasSustained: number;
  efficiency: number;
  /** At the sustained count: the edge's CPU per camera-second over the bare cost (1 = no overhead). */
  cpuOverheadRatio: number | null;
  /** Cores the other tenants kept busy during the sustained run, and the limit and efficiency on what was left. */
  othersCores: number | null;
  availableLimit: number | null;
  availableEfficiency: number | null;
  /** Cameras sustained per core the other tenants left free during that run. */
  camerasPerFreeCore: number | null;
  rssPerCameraMb: number | null;
  steps: string;
}

async function measureMode(
  clip: string,
  mode: CapacityMode,
  source: Record<string, unknown>,
  cores: number,
  cacheDir: string,
): Promise<RatioRow> {
  const cfg = detectorConfig(mode.detector);
  const { model } = await withInputShape(resolveModel(cfg), cfg, cacheDir);
  const det = await createDetector(model, cfg);
  const spec = det.frameSpec;
  await det.close();
  // The mode's detection crops on this clip: each is one more inference (and the whole frame one more).
  const camera = benchEdgeConfig({ brokerUrl: 'mqtt://x', clip, cameras: 1, camera: mode.camera })
    .cameras[0]!;
  const { width, height } = await probeVideo(resolveSourceUrl(`media:${clip}`).input);
  const crops = cameraCrops(camera, spec, width, height);
  const inferences = crops.length ? crops.length + (camera.regions.wholeFrame ? 1 : 0) : 1;
  const decodeMs = await bareDecodeCpuMsPerCamS(clip, spec, source, FPS, BARE_DECODE_RUNS, crops);
  const inf = await bareInference(clip, model.file, cfg, spec);
  const bareMs = decodeMs + FPS * inferences * inf.cpuMsPerFrame;
  const limit = (cores * 1000) / bareMs;
  process.stderr.write(
    `capacityRatio ${clip} ${mode.name}: decode ${round(decodeMs)} ms/cam-s, inference ${round(inf.cpuMsPerFrame)} ms CPU/frame -> limit ${round(limit)}\n`,
  );
  // On a shared box the other tenants' load decides where the search should start; the cap stays nominal.
  const freeCores = await freeCoresNow(cores);
  const guess = ((freeCores * 1000) / bareMs) * GUESS_EFFICIENCY;
  const search = await searchCapacity(guess, limit * MAX_OVER_LIMIT, async (n) => {
    const r = await step(clip, mode, source, n);
    const sustained = isSustained(r.dropRatio, r.fpsProcessedPerCamera, FPS);
    process.stderr.write(
      `capacityRatio ${clip} ${mode.name}: ${n} cameras -> ${JSON.stringify(r)} ${sustained}\n`,
    );
    return { sustained, result: r };
  });
  const at = search.steps.find((s) => s.cameras === search.best)?.result;
  const available = at ? Math.max(0.1, cores - at.othersCores) : undefined;
  return {
    clip,
    mode: mode.name,
    input: `${spec.width}x${spec.height}`,
    inferencesPerFrame: inferences,
    decodeCpuMsPerCamS: round(decodeMs, 1),
    inferenceCpuMsPerFrame: round(inf.cpuMsPerFrame),
    inferenceWallMsPerFrame: round(inf.wallMsPerFrame),
    bareCpuMsPerCamS: round(bareMs, 1),
    bareCamerasPerCore: round(1000 / bareMs),
    bareLimit: round(limit),
    camerasSustained: search.best,
    efficiency: round(search.best / limit),
    cpuOverheadRatio: at ? round(at.pipelineCpuMsPerCamS / bareMs) : null,
    othersCores: at ? at.othersCores : null,
    availableLimit: available ? round((available * 1000) / bareMs) : null,
    availableEfficiency: available ? round(search.best / ((available * 1000) / bareMs)) : null,
    camerasPerFreeCore: available ? round(search.best / available) : null,
    rssPerCameraMb: at ? at.rssPerCameraMb : null,
    steps: search.steps.map((s) => `${s.cameras}${s.sustained ? '+' : '-'}`).join(' '),
  };
}

/** Per-frame inference CPU with one frame per session.run against several cameras' frames in one run. */
async function batching(clip: string, cacheDir: string, batch: number) {
  const cfg = detectorConfig({ inputShape: { width: 416, height: 256 } });
  const resolved = resolveModel(cfg);
  const dynamic = await deriveModel(resolved.file, { width: 416, height: 256, batch: 'dynamic' }, cacheDir);
  const { model } = await withInputShape(resolved, cfg, cacheDir);
  const det = await createDetector(model, cfg);
  const spec = det.frameSpec;
  await det.close();
  const one = await bareInference(clip, dynamic.file, cfg, spec, 1);
  const many = await bareInference(clip, dynamic.file, cfg, spec, batch);
  return {
    input: '416x256',
    batch,
    cpuMsPerFrameBatch1: round(one.cpuMsPerFrame),
    cpuMsPerFrameBatched: round(many.cpuMsPerFrame),
    wallMsPerFrameBatch1: round(one.wallMsPerFrame),
    wallMsPerFrameBatched: round(many.wallMsPerFrame),
    cpuRatio: round(many.cpuMsPerFrame / one.cpuMsPerFrame, 3),
  };
}

/** Decode CPU per camera-second for the decode options, against the default decode at the same fps. */
async function decodeOptions(clip: string) {
  const spec: FrameSpec = {
    width: 416,
    height: 256,
    pixelFormat: 'bgr24',
    fit: 'letterbox-topleft',
    padValue: 114,
  };
  const variants: [string, Record<string, unknown>, number][] = [
    ['default', {}, FPS],
    ['skipLoopFilter', { skipLoopFilter: true }, FPS],
    ['skipFrames bidir', { skipFrames: 'bidir' }, FPS],
    ['default', {}, 1],
    ['skipFrames nokey', { skipFrames: 'nokey' }, 1],
  ];
  const rows: Record<string, unknown>[] = [];
  const base: Record<number, number> = {};
  for (const [option, source, fps] of variants) {
    // One run each: a table of ratios to read, not a figure the capacity search depends on.
    const ms = await bareDecodeCpuMsPerCamS(clip, spec, source, fps, 1);
    base[fps] ??= ms;
    // Skipping frames can leave fewer than fps to sample from; the other options deliver exactly fps.
    const delivered = source.skipFrames ? await framesDelivered(clip, source, fps) : undefined;
    rows.push({
      clip,
      option,
      fps,
      decodeCpuMsPerCamS: round(ms, 1),
      vsDefault: round(ms / base[fps]!),
      framesPerS: delivered === undefined ? fps : round(delivered, 2),
    });
  }
  return rows;
}

/** Frames per second of the clip the graph hands to the detector with these decode options. */
async function framesDelivered(clip: string, source: Record<string, unknown>, fps: number): Promise<number> {
  const file = resolveSourceUrl(`media:${clip}`).input;
  const skip =
    typeof source.skipFrames === 'string' && source.skipFrames !== 'none'
      ? ['-skip_frame', source.skipFrames]
      : [];
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn('ffmpeg', [
      ...['-hide_banner', '-nostats', '-threads', '1', ...skip, '-i', file],
      ...['-vf', `${sampler(fps)},showinfo=checksum=0`, '-f', 'null', '-'],
    ]);
    let text = '';
    c.stderr.on('data', (d: Buffer) => {
      text += d.toString();
    });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`ffmpeg exited ${code}`))));
  });
  return (out.match(/pts_time:/g)?.length ?? 0) / (await clipDurationS(file));
}

export async function benchCapacityRatio(clips = CLIPS, modes = MODES.filter((m) => !m.extra)) {
  const cores = os.cpus().length;
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'matthan-bench-models-'));
  const rows: RatioRow[] = [];
  try {
    for (const clip of clips) {
      for (const mode of modes) {
        const source = mode.source ? await mode.source(clip) : {};
        if (source) rows.push(await measureMode(clip, mode, source, cores, cacheDir));
      }
    }
    const batched = await batching(clips[0]!, cacheDir, 4);
    const decode: Record<string, unknown>[] = [];
    for (const clip of clips) decode.push(...(await decodeOptions(clip)));
    const gains = clips.map((clip) => {
      const mine = rows.filter((r) => r.clip === clip);
      const base = mine[0]!;
      const best = mine.reduce((a, b) => (b.camerasSustained > a.camerasSustained ? b : a));
      return {
        clip,
        baseline: base.mode,
        best: best.mode,
        camerasBaseline: base.camerasSustained,
        camerasBest: best.camerasSustained,
        gain: base.camerasSustained ? round(best.camerasSustained / base.camerasSustained) : null,
        bareLimitGain: round(best.bareLimit / base.bareLimit),
        // On a shared box the other tenants' load moves between the modes' runs: cameras per core left to us.
        gainPerFreeCore:
          base.camerasPerFreeCore && best.camerasPerFreeCore
            ? round(best.camerasPerFreeCore / base.camerasPerFreeCore)
            : null,
      };
    });
    return {
      what:
        `cameras at ${FPS} fps against the limit the bare costs imply on this box (cores ${cores}, ` +
        `${os.cpus()[0]?.model}); bare = ffmpeg decode+scale CPU (rusage) + session.run CPU, same threads; ` +
        `sustained = <${MAX_DROP_RATIO * 100}% dropped and >=${MIN_FPS_RATIO * 100}% of fps over ${MEASURE_MS / 1000} s`,
      loadAverage: os.loadavg().map((l) => round(l)),
      rows,
      gains,
      batching: [batched],
      decodeOptions: decode,
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // npx tsx benchmarks/capacity-ratio.ts [clip substring] [mode substring ...]
  const [clipArg, ...modeArgs] = process.argv.slice(2);
  const clips = CLIPS.filter((c) => !clipArg || c.includes(clipArg));
  const modes = MODES.filter(
    (m, i) => i === 0 || !modeArgs.length || modeArgs.some((a) => m.name.includes(a)),
  );
  console.log(JSON.stringify(await benchCapacityRatio(clips, modes), null, 2));
}
