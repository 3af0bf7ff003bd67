// Ingest benchmark: ffmpeg CPU per decoded frame for the production graph (sample, scale, pad, rgb24) on the 1080p
// and 360p clips, against a bare `ffmpeg -f null` decode of the same clip; plus the whole FfmpegSource in Node.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { ffmpegArgs } from '../edge/ingest/ffmpeg-args.ts';
import { FfmpegSource } from '../edge/ingest/ffmpeg-source.ts';
import type { FrameSpec } from '../edge/ingest/frame.ts';
import { probeVideo } from '../edge/ingest/probe.ts';
import { resolveSourceUrl } from '../edge/ingest/source-url.ts';

const CLIPS = ['hcmc_intersection_1080p.mp4', 'us_street_intersection_360p.mp4'];
/** The default detector's input: yolox_nano with its camera-shaped 416x256 input (detector.inputShape). */
const SPEC: FrameSpec = {
  width: 416,
  height: 256,
  pixelFormat: 'bgr24',
  fit: 'letterbox-topleft',
  padValue: 114,
};
const RUNS = 3;
/** The analysis rate cameras run at by default (camera.fps). */
const SAMPLED_FPS = 5;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

/** Runs ffmpeg under bash's `time` (outputs discarded) and returns its user+sys CPU seconds and wall seconds. */
function cpuOf(args: string[]): Promise<{ cpuS: number; wallS: number }> {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const script = `TIMEFORMAT='%3R %3U %3S'; time ffmpeg ${quoted} >/dev/null 2>/dev/null`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('close', (code) => {
      const m = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`ffmpeg ${args.join(' ')} failed (${code}): ${err}`));
      resolve({ wallS: Number(m[1]), cpuS: Number(m[2]) + Number(m[3]) });
    });
  });
}

/** Reads the clip through FfmpegSource (as fast as possible) and returns wall ms and frames delivered to Node. */
async function throughSource(file: string, fps: number): Promise<{ wallMs: number; frames: number }> {
  let frames = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const src = new FfmpegSource({
      cameraId: 'bench',
      source: resolveSourceUrl(file),
      transport: 'tcp',
      realtime: false,
      loop: false,
      fps,
      stallTimeoutS: 30,
      spec: SPEC,
      log: pino({ level: 'silent' }),
      onFrame: () => {
        frames++;
      },
      onStatus: (state, reason) => {
        if (state === 'offline' && !reason?.startsWith('stream ended')) reject(new Error(reason));
      },
      onEnd: () => resolve(),
    });
    src.start();
  });
  return { wallMs: performance.now() - t0, frames };
}

export interface IngestBenchRow {
  clip: string;
  source: string;
  decodedFrames: number;
  /** CPU ms per decoded frame of `ffmpeg -i clip -f null -`. */
  bareDecodeMs: number;
  /** CPU ms per decoded frame when every frame is scaled+padded to 416x256 bgr24 (fps = clip rate). */
  decodeScaleAllMs: number;
  /** decodeScaleAllMs / bareDecodeMs. */
  ratioAll: number;
  /** CPU ms per decoded frame at the default 5 fps analysis rate (sampling before scaling). */
  decodeScale5fpsMs: number;
  ratio5fps: number;
  /** CPU ms per delivered (scaled) frame at 5 fps. */
  perOutputFrame5fpsMs: number;
  /** Wall ms per delivered frame through FfmpegSource into Node at 5 fps (ffmpeg + pipe + pairing). */
  sourceWallPerFrame5fpsMs: number;
  sourceFrames5fps: number;
}

export async function benchIngest(): Promise<Record<string, unknown>> {
  const rows: IngestBenchRow[] = [];
  for (const clip of CLIPS) {
    const source = resolveSourceUrl(`media:${clip}`);
    const probe = await probeVideo(source.input);
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      const c = spawn('ffprobe', [
        ...['-v', 'error', '-count_packets', '-select_streams', 'v:0'],
        ...['-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', source.input],
      ]);
      let out = '';
      c.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      c.on('close', (code) => (code === 0 ? resolve({ stdout: out }) : reject(new Error(`ffprobe ${code}`))));
    });
    const decoded = Number(stdout.trim());
    const input = { source, transport: 'tcp' as const, realtime: false, loop: false, spec: SPEC };
    const bareArgs = ['-hide_banner', '-nostdin', '-i', source.input, '-map', '0:v:0', '-f', 'null', '-'];
    // The production command line, minus the ring (a copy costs next to nothing).
    const allArgs = ['-nostdin', ...ffmpegArgs({ ...input, fps: Math.ceil(probe.fps) + 1 })];
    const sampledArgs = ['-nostdin', ...ffmpegArgs({ ...input, fps: SAMPLED_FPS })];
    const bare: number[] = [];
    const all: number[] = [];
    const sampled: number[] = [];
    const wall: number[] = [];
    let sourceFrames = 0;
    for (let i = 0; i < RUNS; i++) {
      // Interleaved, so a noisy neighbour on the shared box hits every variant alike.
      bare.push((await cpuOf(bareArgs)).cpuS);
      all.push((await cpuOf(allArgs)).cpuS);
      sampled.push((await cpuOf(sampledArgs)).cpuS);
      const s = await throughSource(`media:${clip}`, SAMPLED_FPS);
      wall.push(s.wallMs / s.frames);
      sourceFrames = s.frames;
    }
    const perFrame = (cpuS: number) => (cpuS * 1000) / decoded;
    const b = perFrame(median(bare));
    const a = perFrame(median(all));
    const s = perFrame(median(sampled));
    rows.push({
      clip,
      source: `${probe.width}x${probe.height} ${probe.codec} ${round(probe.fps, 2)} fps`,
      decodedFrames: decoded,
      bareDecodeMs: round(b),
      decodeScaleAllMs: round(a),
      ratioAll: round(a / b, 2),
      decodeScale5fpsMs: round(s),
      ratio5fps: round(s / b, 2),
      perOutputFrame5fpsMs: round((median(sampled) * 1000) / sourceFrames),
      sourceWallPerFrame5fpsMs: round(median(wall)),
      sourceFrames5fps: sourceFrames,
    });
  }
  return {
    what:
      'ffmpeg user+sys CPU ms per decoded frame (median of 3), default threads; scale+pad to 416x256 bgr24 with ' +
      'fast_bilinear in the filter graph vs a bare -f null decode',
    clips: rows,
  };
}

function toMarkdown(rows: IngestBenchRow[]): string {
  const cols = Object.keys(rows[0]!) as (keyof IngestBenchRow)[];
  return [
    `| ${cols.join(' | ')} |`,
    `|${cols.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cols.map((c) => String(r[c])).join(' | ')} |`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchIngest();
  process.stdout.write(`${result.what}\n\n${toMarkdown(result.clips as IngestBenchRow[])}\n`);
}
