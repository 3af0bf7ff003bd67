// Ingest against a real RTSP camera (GStreamer RTSP server with basic auth serving the HCMC clip): frame size
// and rate, camera killed and back, wrong path / port / password, a port that never answers, UDP, H.265, no
// leaked ffmpeg, no password in logs nor in the process list.
import { execFile, execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegSource, type FfmpegSourceOptions } from '../../edge/ingest/ffmpeg-source.ts';
import type { Frame, FrameSpec } from '../../edge/ingest/frame.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { media, tempDir } from '../helpers/fixtures.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

const run = promisify(execFile);
const PASSWORD = 'Sup3r-S3cret_pw';
const SPEC: FrameSpec = {
  width: 416,
  height: 416,
  pixelFormat: 'bgr24',
  fit: 'letterbox-topleft',
  padValue: 114,
};

/** Every log line any source writes, at debug level, to check for leaked credentials. */
const logLines: string[] = [];
const log = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString());
      cb();
    },
  }),
);

interface Probe {
  source: FfmpegSource;
  frames: Frame[];
  statuses: { state: 'online' | 'offline'; reason?: string; atFrame: number }[];
}

function source(url: string, o: Partial<FfmpegSourceOptions> = {}): Probe {
  const frames: Frame[] = [];
  const statuses: Probe['statuses'] = [];
  const src = new FfmpegSource({
    cameraId: 'cam-test',
    source: resolveSourceUrl(url),
    transport: 'tcp',
    realtime: true,
    loop: false,
    fps: 5,
    stallTimeoutS: 4,
    spec: SPEC,
    log: log.child({ camera: 'cam-test' }),
    backoffMinMs: 200,
    backoffMaxMs: 1500,
    stopGraceMs: 3000, // generous: a loaded box may take a while to act on q (asserted below)
    onFrame: (f) => {
      // Keep only what the assertions need: a test must not itself grow memory without bound.
      if (frames.length < 400) frames.push(f);
    },
    onStatus: (state, reason) => statuses.push({ state, reason, atFrame: frames.length }),
    ...o,
  });
  return { source: src, frames, statuses };
}

async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function childFfmpegs(): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-P', String(process.pid)])
      .toString()
      .split('\n')
      .filter((l) => /\bff(mpeg|probe)\b/.test(l));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/**
 * The process list, sampled every 200 ms for the whole suite: any line with the password is a leak. It also counts
 * the ffmpeg/ffprobe lines it saw, so the check cannot pass by seeing nothing.
 */
const psWatch = {
  leaks: [] as string[],
  ffmpegLines: 0,
  samples: 0,
  timer: undefined as NodeJS.Timeout | undefined,
};
function samplePs(): void {
  execFile('ps', ['-eo', 'pid,args', '--no-headers'], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
    if (err) return; // a sample lost to a busy box; the next one follows
    psWatch.samples++;
    for (const line of stdout.split('\n')) {
      if (/\bff(mpeg|probe)\b/.test(line)) psWatch.ffmpegLines++;
      if (line.includes(PASSWORD)) psWatch.leaks.push(line.slice(0, 300));
    }
  });
}

describe('ingest from a real RTSP camera', () => {
  let server: RtspServer;
  let h265: RtspServer;
  const started: FfmpegSource[] = [];
  const track = (p: Probe) => {
    started.push(p.source);
    p.source.start();
    return p;
  };

  beforeAll(async () => {
    psWatch.timer = setInterval(samplePs, 200);
    server = await startRtspServer({
      file: media('hcmc_intersection_1080p.mp4'),
      user: 'admin',
      password: PASSWORD,
      loops: 6,
    });
    // An H.265 camera: 4 s of the 360p clip re-encoded once per run into a temp dir (never into the repo).
    const hevc = path.join(tempDir('matthan-hevc-'), 'us-street-h265.mp4');
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-t',
      '4',
      '-i',
      media('us_street_intersection_360p.mp4'),
      '-an',
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-x265-params',
      'log-level=error:keyint=15',
      '-tag:v',
      'hvc1',
      hevc,
    ]);
    h265 = await startRtspServer({ file: hevc, codec: 'h265', loops: 4 });
  }, 120_000);

  afterAll(async () => {
    clearInterval(psWatch.timer);
    await Promise.all(started.map((s) => s.stop()));
    await server?.stop();
    await h265?.stop();
  });

  it('delivers frames at the model size and the configured rate, letterboxed by ffmpeg', async () => {
    const p = track(source(server.url));
    await until('20 frames', () => p.frames.length >= 20);
    await p.source.stop();
    expect(p.statuses[0]).toMatchObject({ state: 'online' });
    const f = p.frames[5]!;
    expect(f.data.length).toBe(416 * 416 * 3);
    expect(f.sourceWidth).toBe(1920);
    expect(f.sourceHeight).toBe(1080);
    expect(f.content).toEqual({ x: 0, y: 0, width: 416, height: 234 });
    // Below the picture the pad is grey 114; inside it the picture varies.
    const px = (x: number, y: number) => f.data[(y * 416 + x) * 3]!;
    expect([px(10, 300), px(200, 415), px(415, 240)]).toEqual([114, 114, 114]);
    const row = Array.from({ length: 416 }, (_, x) => px(x, 120));
    expect(new Set(row).size).toBeGreaterThan(20);
    // The rate in stream time: 5 fps means 200 ms between frame timestamps.
    const ts = p.frames.map((fr) => fr.tsMs);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    const sorted = [...gaps].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThanOrEqual(180);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThanOrEqual(220);
    const rate = ((ts.length - 1) * 1000) / (ts.at(-1)! - ts[0]!);
    expect(rate).toBeGreaterThan(4.5);
    expect(rate).toBeLessThan(5.5);
    for (let i = 1; i < p.frames.length; i++) expect(p.frames[i]!.seq).toBe(p.frames[i - 1]!.seq + 1);
  });

  it('reports offline with a reason when the camera dies for 5 s, then online again with frames resuming', async () => {
    const p = track(source(server.url));
    await until('first frames', () => p.frames.length >= 5);
    await server.stop();
    await until('offline', () => p.statuses.some((s) => s.state === 'offline'));
    await sleep(5000);
    const offline = p.statuses.filter((s) => s.state === 'offline');
    expect(offline.length).toBeGreaterThan(0);
    for (const s of offline) expect(s.reason).toMatch(/^(stream ended|unreachable|stalled): \S/);
    // While the port is closed the reason says so.
    expect(offline.at(-1)!.reason).toMatch(/^unreachable: .*Connection refused/i);
    expect(p.source.restarts).toBeGreaterThan(0);
    const framesBefore = p.frames.length;
    await server.restart();
    await until('online again', () => p.statuses.at(-1)?.state === 'online', 30_000);
    await until('frames after the restart', () => p.frames.length >= framesBefore + 10);
    expect(p.statuses.map((s) => s.state)).toEqual(['online', ...offline.map(() => 'offline'), 'online']);
    // Time never runs backwards across the outage.
    for (let i = 1; i < p.frames.length; i++)
      expect(p.frames[i]!.tsMs).toBeGreaterThan(p.frames[i - 1]!.tsMs);
    await p.source.stop();
  }, 90_000);

  it('restarts a camera that hangs (connection open, no packets) once the stall timeout passes', async () => {
    const p = track(source(server.url, { stallTimeoutS: 2 }));
    await until('first frames', () => p.frames.length >= 5);
    server.pause();
    try {
      await until('offline', () => p.statuses.some((s) => s.state === 'offline'), 20_000);
      await until('a restart', () => p.source.restarts >= 1);
    } finally {
      server.resume();
    }
    await until('online again', () => p.statuses.at(-1)?.state === 'online', 45_000);
    const framesBefore = p.frames.length;
    await until('frames again', () => p.frames.length >= framesBefore + 5);
    await p.source.stop();
    const offline = p.statuses.filter((s) => s.state === 'offline' && !s.reason?.startsWith('stopped'));
    expect(offline[0]!.reason).toMatch(/^stalled: no frame for 2 s/);
  }, 90_000);

  it.each([
    [
      'a wrong path',
      () => `rtsp://admin:${PASSWORD}@127.0.0.1:${server.port}/no-such-camera`,
      /^not found: .*404/,
    ],
    [
      'a wrong password',
      () => `rtsp://admin:wrong-${PASSWORD}@127.0.0.1:${server.port}/cam`,
      /^unauthorised: .*401/,
    ],
    ['an unreachable port', () => `rtsp://admin:${PASSWORD}@127.0.0.1:1/cam`, /^unreachable: .*refused/i],
  ])('reports %s as offline with a clear reason, and keeps retrying', async (_name, url, reason) => {
    const p = track(source(url()));
    await until('offline', () => p.statuses.length > 0);
    await until('a retry', () => p.source.restarts >= 2);
    await p.source.stop();
    expect(p.statuses[0]!.state).toBe('offline');
    expect(p.statuses[0]!.reason).toMatch(reason);
    expect(p.statuses.every((s) => s.state === 'offline')).toBe(true);
    expect(p.statuses).toHaveLength(1); // the same reason again is not re-published
    expect(p.frames).toHaveLength(0);
  });

  it('reports a port that accepts and never answers RTSP as unreachable, not as a codec problem', async () => {
    // A "camera" that takes the TCP connection and says nothing: a hung device, a swallowing firewall.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('error', () => sockets.delete(sock));
      sock.on('close', () => sockets.delete(sock));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const p = track(source(`rtsp://admin:${PASSWORD}@127.0.0.1:${port}/cam`));
      await until('offline', () => p.statuses.length > 0, 40_000);
      await until('a retry', () => p.source.restarts >= 2, 60_000);
      await p.source.stop();
      expect(p.statuses[0]!.state).toBe('offline');
      expect(p.statuses[0]!.reason).toMatch(
        /^unreachable: the port accepted the connection but gave no RTSP answer/,
      );
      expect(p.statuses.some((s) => s.reason?.startsWith('unsupported codec'))).toBe(false);
      expect(p.frames).toHaveLength(0);
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  }, 120_000);

  it('reads RTSP over UDP when configured', async () => {
    const p = track(source(server.url, { transport: 'udp' }));
    await until('frames over UDP', () => p.frames.length >= 10);
    await p.source.stop();
    expect(p.frames[0]!.data.length).toBe(416 * 416 * 3);
  });

  it('decodes an H.265 camera, with a centred letterbox when the detector asks for one', async () => {
    const spec: FrameSpec = {
      width: 320,
      height: 320,
      pixelFormat: 'rgb24',
      fit: 'letterbox-center',
      padValue: 114,
    };
    const p = track(source(h265.url, { spec, fps: 10 }));
    await until('H.265 frames', () => p.frames.length >= 10);
    await p.source.stop();
    const f = p.frames[3]!;
    expect(f.data.length).toBe(320 * 320 * 3);
    expect([f.sourceWidth, f.sourceHeight]).toEqual([640, 360]);
    expect(f.content).toEqual({ x: 0, y: 70, width: 320, height: 180 });
    const px = (x: number, y: number) => f.data[(y * 320 + x) * 3]!;
    expect([px(160, 10), px(160, 69), px(160, 250), px(160, 319)]).toEqual([114, 114, 114, 114]);
    // 10 fps in stream time: the median gap between frame timestamps is 100 ms. (A mean over ten frames let one
    // late first timestamp of a loaded box read as 11.3 fps.)
    const ts = p.frames.map((fr) => fr.tsMs);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
    expect(median).toBeGreaterThanOrEqual(90);
    expect(median).toBeLessThanOrEqual(110);
  });

  it('leaves no ffmpeg or ffprobe process behind once every source is stopped', async () => {
    const p = track(source(server.url));
    await until('frames', () => p.frames.length >= 3);
    expect(childFfmpegs().length).toBeGreaterThan(0); // the check can see them while they run
    await Promise.all(started.map((s) => s.stop()));
    expect(childFfmpegs()).toEqual([]);
    // ...and they were asked politely: ffmpeg quit on 'q' rather than being killed.
    const stops = logLines.filter((l) => l.includes('ffmpeg stopped'));
    expect(stops.length).toBeGreaterThan(0);
    expect(stops.every((l) => l.includes('"how":"q"'))).toBe(true);
  });

  it('never writes the RTSP password to a log line or a status reason', () => {
    expect(logLines.length).toBeGreaterThan(20);
    // The URL was logged (ffmpeg errors) but masked.
    expect(logLines.some((l) => l.includes('admin:***@'))).toBe(true);
    for (const line of logLines) expect(line).not.toContain(PASSWORD);
  });

  it('never showed the RTSP password in the process list (ffmpeg and ffprobe read the URL from a pipe)', () => {
    expect(psWatch.samples).toBeGreaterThan(20);
    expect(psWatch.ffmpegLines).toBeGreaterThan(20); // the sampler did see the ffmpeg and ffprobe processes
    expect(psWatch.leaks).toEqual([]);
  });
});
