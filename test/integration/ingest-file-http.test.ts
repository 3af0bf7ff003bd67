// Ingest from files and HTTP through the same FfmpegSource path: end of file, looping, a missing file, a file that
// is not video, HLS served over HTTP, and an HTTP 404 - each with real ffmpeg.
import { execFile } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegSource, type FfmpegSourceOptions } from '../../edge/ingest/ffmpeg-source.ts';
import type { Frame } from '../../edge/ingest/frame.ts';
import { SegmentRing } from '../../edge/ingest/segment-ring.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { media, tempDir } from '../helpers/fixtures.ts';

const run = promisify(execFile);

interface Probe {
  source: FfmpegSource;
  frames: (Pick<Frame, 'seq' | 'tsMs' | 'sourceWidth' | 'sourceHeight' | 'content'> & { data?: Buffer })[];
  statuses: { state: string; reason?: string }[];
  ended: Promise<void>;
}

function source(url: string, o: Partial<FfmpegSourceOptions> = {}): Probe {
  const frames: Probe['frames'] = [];
  const statuses: Probe['statuses'] = [];
  let endResolve!: () => void;
  const ended = new Promise<void>((r) => {
    endResolve = r;
  });
  const src = new FfmpegSource({
    cameraId: 'cam-file',
    source: resolveSourceUrl(url),
    transport: 'tcp',
    realtime: false,
    loop: false,
    fps: 5,
    stallTimeoutS: 10,
    spec: { width: 320, height: 320, pixelFormat: 'rgb24', fit: 'letterbox-center', padValue: 114 },
    log: pino({ level: 'silent' }),
    backoffMinMs: 200,
    backoffMaxMs: 1000,
    onFrame: (f) =>
      frames.push({
        seq: f.seq,
        tsMs: f.tsMs,
        sourceWidth: f.sourceWidth,
        sourceHeight: f.sourceHeight,
        content: f.content,
        data: frames.length < 100 ? f.data : undefined,
      }),
    onStatus: (state, reason) => statuses.push({ state, reason }),
    onEnd: () => endResolve(),
    ...o,
  });
  src.start();
  return { source: src, frames, statuses, ended };
}

async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ingest from files and HTTP', () => {
  const dir = tempDir('matthan-ingest-file-');
  const short = path.join(dir, 'short-2s.mp4');
  const mixed = path.join(dir, 'mixed-resolution.ts');
  let http: Server;
  let base = '';

  beforeAll(async () => {
    // A 2 s cut of the 360p clip (stream copy) for the loop test, and an HLS rendition of it served over HTTP.
    await run(
      'ffmpeg',
      ['-v', 'error', '-nostdin', '-t', '2', '-i', media('us_street_intersection_360p.mp4')].concat([
        '-an',
        '-c',
        'copy',
        short,
      ]),
    );
    await run(
      'ffmpeg',
      ['-v', 'error', '-nostdin', '-i', short, '-c', 'copy', '-f', 'hls', '-hls_time', '1'].concat([
        '-hls_list_size',
        '0',
        path.join(dir, 'index.m3u8'),
      ]),
    );
    // A stream whose resolution changes mid-way (a camera reconfigured): 2 s at 640x360, then 2 s at 1568x778,
    // as one MPEG-TS with continuous timestamps.
    const part = (clip: string, out: string, offsetS: number) =>
      run(
        'ffmpeg',
        ['-v', 'error', '-nostdin', '-t', '2', '-i', media(clip), '-an', '-c', 'copy'].concat([
          '-bsf:v',
          'h264_mp4toannexb',
          '-output_ts_offset',
          String(offsetS),
          '-f',
          'mpegts',
          out,
        ]),
      );
    await part('us_street_intersection_360p.mp4', path.join(dir, 'a.ts'), 0);
    await part('hcmc_street_wrongway.mp4', path.join(dir, 'b.ts'), 2);
    writeFileSync(
      mixed,
      Buffer.concat([readFileSync(path.join(dir, 'a.ts')), readFileSync(path.join(dir, 'b.ts'))]),
    );
    http = createServer((req, res) => {
      const file = path.join(dir, path.basename(req.url ?? ''));
      if (!req.url?.startsWith('/hls/') || !existsSync(file)) {
        res.writeHead(404).end('not here');
        return;
      }
      res.writeHead(200, {
        'content-type': file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t',
      });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  }, 60_000);

  afterAll(async () => {
    await new Promise((r) => http?.close(r));
  });

  it('reads a file to its end as fast as allowed, then reports the end once and does not restart', async () => {
    const p = source(`media:hcmc_intersection_1080p.mp4`);
    await p.ended;
    await p.source.stop();
    // 10.43 s at 5 fps: one frame per 200 ms slot of stream time.
    expect(p.frames.length).toBeGreaterThanOrEqual(51);
    expect(p.frames.length).toBeLessThanOrEqual(53);
    expect(p.statuses).toEqual([
      { state: 'online' },
      { state: 'offline', reason: 'stream ended: end of file' },
    ]);
    expect(p.source.restarts).toBe(0);
    // Stream time, not read speed: the frames span the clip's 10 s even though they were read in about one.
    expect(p.frames.at(-1)!.tsMs - p.frames[0]!.tsMs).toBeGreaterThan(9800);
  });

  it('loops a file, with timestamps that keep rising across the wrap and a ring that keeps filling', async () => {
    const ring = new SegmentRing({ dir: path.join(dir, 'ring-loop'), seconds: 8, segmentS: 1 });
    const p = source(short, { loop: true, ring });
    await until('three passes of the 2 s clip', () => p.frames.length >= 30);
    await p.source.stop();
    expect(p.source.loops).toBeGreaterThanOrEqual(2);
    // Segments from more than one pass: the copy output survives the wrap (with -stream_loop it went dead).
    const runs = new Set(ring.segments().map((s) => path.basename(s.file).split('-').slice(0, 2).join('-')));
    expect(runs.size).toBeGreaterThanOrEqual(2);
    const segs = ring.segments();
    for (let i = 1; i < segs.length; i++)
      expect(segs[i]!.startMs).toBeGreaterThanOrEqual(segs[i - 1]!.endMs - 1);
    expect(p.statuses).toEqual([
      { state: 'online' },
      { state: 'offline', reason: 'stopped: ingest shut down' },
    ]);
    for (let i = 1; i < p.frames.length; i++)
      expect(p.frames[i]!.tsMs).toBeGreaterThan(p.frames[i - 1]!.tsMs);
    // Stream time keeps its 5 fps spacing over the wrap (no burst of duplicates, no jump).
    const span = p.frames.at(-1)!.tsMs - p.frames[0]!.tsMs;
    expect(span / (p.frames.length - 1)).toBeGreaterThan(180);
    expect(span / (p.frames.length - 1)).toBeLessThan(220);
  });

  it('paces a file in real time when asked (frames arrive no faster than the stream)', async () => {
    const p = source(short, { realtime: true });
    const t0 = Date.now();
    await p.ended;
    await p.source.stop();
    // A 2 s clip read with -re cannot end before its 2 s have played; read flat out it ends in a fraction.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(p.frames.length).toBeGreaterThanOrEqual(9);
  });

  it('follows a resolution change mid-stream: model-size frames, each with its own source size and content', async () => {
    const p = source(mixed);
    await p.ended;
    await p.source.stop();
    const sizes = [...new Set(p.frames.map((f) => `${f.sourceWidth}x${f.sourceHeight}`))];
    expect(sizes).toEqual(['640x360', '1568x778']);
    const small = p.frames.filter((f) => f.sourceWidth === 640);
    const wide = p.frames.filter((f) => f.sourceWidth === 1568);
    expect(small.length).toBeGreaterThanOrEqual(9);
    expect(wide.length).toBeGreaterThanOrEqual(9);
    // 320x320 centred: 640x360 scales to 320x180 (70 rows of pad above); 1568x778 to 320x158 (81 above).
    expect(small[0]!.content).toEqual({ x: 0, y: 70, width: 320, height: 180 });
    expect(wide[0]!.content).toEqual({ x: 0, y: 81, width: 320, height: 158 });
    // The pixels agree: ffmpeg padded exactly where the frame says the picture is not.
    const row = (f: { data?: Buffer }, y: number) => f.data!.subarray(y * 320 * 3, (y + 1) * 320 * 3);
    const isPad = (b: Buffer) => b.every((v) => v === 114);
    const f = wide[Math.floor(wide.length / 2)]!;
    expect([isPad(row(f, 80)), isPad(row(f, 81)), isPad(row(f, 238)), isPad(row(f, 239))]).toEqual([
      true,
      false,
      false,
      true,
    ]);
    for (let i = 1; i < p.frames.length; i++)
      expect(p.frames[i]!.tsMs).toBeGreaterThan(p.frames[i - 1]!.tsMs);
  });

  it('reads HLS over HTTP through the same path', async () => {
    const p = source(`${base}/hls/index.m3u8`);
    await until('HLS frames', () => p.frames.length >= 8);
    await p.source.stop();
    expect(p.frames[0]!.sourceWidth).toBe(640);
    expect(p.frames[0]!.content).toEqual({ x: 0, y: 70, width: 320, height: 180 });
  });

  it.each([
    ['a missing file', () => path.join(dir, 'no-such-clip.mp4'), /^not found: .*No such file/],
    ['an HTTP 404', () => `${base}/hls/missing.m3u8`, /^not found: .*404/],
    [
      'a file that is not video',
      () => {
        const f = path.join(dir, 'notes.mp4');
        writeFileSync(f, 'this is a text file pretending to be a clip\n'.repeat(50));
        return f;
      },
      /^unsupported codec: /,
    ],
  ])('reports %s as offline with a clear reason', async (_name, url, reason) => {
    const p = source(url());
    await until('offline', () => p.statuses.length > 0);
    await p.source.stop();
    expect(p.statuses[0]!.state).toBe('offline');
    expect(p.statuses[0]!.reason).toMatch(reason);
    expect(p.frames).toHaveLength(0);
  });
});
