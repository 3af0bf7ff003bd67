// A camera with an analysis substream (source.analysisUrl) over real RTSP: the detector gets frames decoded from
// the 640x360 substream while the ring copies the 1920x1080 main stream, and the ring covers the frames' times.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { substreamOf } from '../../benchmarks/substream.ts';
import { ffmpegArgs } from '../../edge/ingest/ffmpeg-args.ts';
import { FfmpegSource } from '../../edge/ingest/ffmpeg-source.ts';
import type { Frame } from '../../edge/ingest/frame.ts';
import { type Segment, SegmentRing } from '../../edge/ingest/segment-ring.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { logger } from '../../lib/log.ts';
import { media, tempDir } from '../helpers/fixtures.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

const run = promisify(execFile);
const SPEC = {
  width: 416,
  height: 256,
  pixelFormat: 'bgr24',
  fit: 'letterbox-topleft',
  padValue: 114,
} as const;

describe('source.analysisUrl: detect on the substream, keep the main stream as evidence', () => {
  let main: RtspServer;
  let sub: RtspServer;
  let src: FfmpegSource;
  const frames: Pick<Frame, 'tsMs' | 'sourceWidth' | 'sourceHeight'>[] = [];
  const segments: Segment[] = [];
  const dir = path.join(tempDir('matthan-analysis-'), 'ring', 'cam-sub');

  beforeAll(async () => {
    const clip = media('hcmc_intersection_1080p.mp4');
    main = await startRtspServer({ file: clip, path: '/main', loops: 2 });
    sub = await startRtspServer({ file: await substreamOf(clip), path: '/sub', loops: 2 });
    const ring = new SegmentRing({ dir, seconds: 30, segmentS: 2 });
    const add = ring.add.bind(ring);
    ring.add = (s: Segment) => {
      add(s);
      segments.push(s);
    };
    src = new FfmpegSource({
      cameraId: 'cam-sub',
      source: resolveSourceUrl(main.url),
      analysisSource: resolveSourceUrl(sub.url),
      transport: 'tcp',
      realtime: true,
      loop: false,
      fps: 5,
      stallTimeoutS: 10,
      spec: SPEC,
      log: logger('ingest-analysis-test'),
      ring,
      onFrame: (f) => frames.push({ tsMs: f.tsMs, sourceWidth: f.sourceWidth, sourceHeight: f.sourceHeight }),
      onStatus: () => undefined,
    });
    src.start();
    const deadline = Date.now() + 90_000;
    while ((segments.length < 4 || frames.length < 30) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await src.stop();
  }, 150_000);

  afterAll(async () => {
    await src?.stop();
    await main?.stop();
    await sub?.stop();
  });

  it('opens the substream as input 0 (decoded) and the main stream as input 1 (ring only)', () => {
    const args = ffmpegArgs({
      source: resolveSourceUrl(main.url),
      analysisSource: resolveSourceUrl(sub.url),
      transport: 'tcp',
      realtime: true,
      loop: false,
      spec: SPEC,
      fps: 5,
      ring: { pattern: '/x/%06d.ts', segmentS: 2, codec: 'h264' },
    });
    const inputs = args.flatMap((a, i) => (a === '-i' ? [args[i + 1]] : []));
    expect(inputs).toEqual([sub.url, main.url]);
    const maps = args.flatMap((a, i) => (a === '-map' ? [args[i + 1]] : []));
    expect(maps).toEqual(['0:v:0', '1:v:0']);
  });

  it('the detector frames come from the 640x360 substream', () => {
    expect(frames.length).toBeGreaterThanOrEqual(30);
    expect(new Set(frames.map((f) => `${f.sourceWidth}x${f.sourceHeight}`))).toEqual(new Set(['640x360']));
  });

  it('the ring holds the 1920x1080 main stream and covers the frames it was running for', async () => {
    expect(segments.length).toBeGreaterThanOrEqual(4);
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0'],
      path.resolve(dir, path.basename(segments[1]!.file)),
    ]);
    expect(new Set(stdout.trim().split(/\s+/))).toEqual(new Set(['1920,1080']));
    // Every frame between the first closed segment's start and the last one's end lies inside some segment.
    const start = segments[0]!.startMs;
    const end = segments.at(-1)!.endMs;
    const inside = frames.filter((f) => f.tsMs >= start && f.tsMs <= end);
    expect(inside.length).toBeGreaterThan(10);
    for (const f of inside) expect(segments.some((s) => f.tsMs >= s.startMs && f.tsMs <= s.endMs)).toBe(true);
  });
});
