// The segment ring buffer on a real RTSP camera: never more than the configured seconds on disk, segments that
// play (ffprobe, full decode), wall-clock times that line up with the frames, and a restart that leaves no orphans.
import { execFile } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegSource } from '../../edge/ingest/ffmpeg-source.ts';
import type { Frame } from '../../edge/ingest/frame.ts';
import { type Segment, SegmentRing } from '../../edge/ingest/segment-ring.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { logger } from '../../lib/log.ts';
import { media, tempDir } from '../helpers/fixtures.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

const run = promisify(execFile);
const RING_SECONDS = 6;
const SEGMENT_S = 2;

async function ffprobeDuration(file: string): Promise<{ duration: number; codec: string; frames: number }> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'format=duration:stream=codec_name,nb_read_frames',
    '-of',
    'json',
    file,
  ]);
  const j = JSON.parse(stdout) as {
    format: { duration: string };
    streams: { codec_name: string; nb_read_frames: string }[];
  };
  return {
    duration: Number(j.format.duration),
    codec: j.streams[0]!.codec_name,
    frames: Number(j.streams[0]!.nb_read_frames),
  };
}

describe('segment ring buffer', () => {
  let server: RtspServer;
  let src: FfmpegSource;
  let ring: SegmentRing;
  const dir = path.join(tempDir('matthan-ring-'), 'ring', 'cam-ring');
  const frames: Pick<Frame, 'tsMs'>[] = [];
  /** After every segment the muxer closes: what the ring lists and what is on disk. */
  const snapshots: { listed: Segment[]; files: string[] }[] = [];

  beforeAll(async () => {
    server = await startRtspServer({ file: media('hcmc_intersection_1080p.mp4'), loops: 4 });
    ring = new SegmentRing({ dir, seconds: RING_SECONDS, segmentS: SEGMENT_S });
    const add = ring.add.bind(ring);
    ring.add = (s: Segment) => {
      add(s);
      snapshots.push({ listed: ring.segments(), files: segmentFiles(dir) });
    };
    src = new FfmpegSource({
      cameraId: 'cam-ring',
      source: resolveSourceUrl(server.url),
      transport: 'tcp',
      realtime: true,
      loop: false,
      fps: 5,
      stallTimeoutS: 5,
      spec: { width: 320, height: 320, pixelFormat: 'rgb24', fit: 'letterbox-topleft', padValue: 114 },
      log: logger('ingest-ring-test'),
      ring,
      onFrame: (f) => frames.push({ tsMs: f.tsMs }),
      onStatus: () => undefined,
    });
    src.start();
    const deadline = Date.now() + 60_000;
    // Run well past the ring's length so retention has deleted segments many times.
    while (snapshots.length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // Stop before checking files: retention would otherwise delete a segment while ffprobe reads it.
    await src.stop();
  }, 90_000);

  afterAll(async () => {
    await src?.stop();
    await server?.stop();
  });

  it('never lists more than the configured seconds, and keeps at most one more file (the one being written)', () => {
    expect(snapshots.length).toBeGreaterThanOrEqual(12);
    expect(ring.dropped).toBeGreaterThan(3);
    for (const { listed, files } of snapshots) {
      const seconds = listed.reduce((n, s) => n + (s.endMs - s.startMs), 0) / 1000;
      expect(seconds).toBeLessThanOrEqual(RING_SECONDS);
      expect(files.length).toBeLessThanOrEqual(listed.length + 1);
      for (const s of listed) expect(files).toContain(path.basename(s.file));
    }
    // The ring is not trivially empty: it holds at least seconds - one segment of video.
    const last = snapshots.at(-1)!.listed;
    const held = last.reduce((n, s) => n + (s.endMs - s.startMs), 0) / 1000;
    expect(held).toBeGreaterThanOrEqual(RING_SECONDS - SEGMENT_S - 0.5);
  });

  it('holds segments that play, with durations that match their listed times', async () => {
    const segments = ring.segments();
    expect(segments.length).toBeGreaterThanOrEqual(2);
    for (const s of segments) {
      const probe = await ffprobeDuration(s.file);
      expect(probe.codec).toBe('h264');
      expect(probe.frames).toBeGreaterThan(0);
      expect(Math.abs(probe.duration - (s.endMs - s.startMs) / 1000)).toBeLessThan(0.25);
      // A full decode (exit 0) without a decoder error. The null muxer's own complaints about the clip's
      // duplicated timestamps are not about the segment and are left out.
      const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', s.file, '-f', 'null', '-']);
      const decoderErrors = stderr
        .split('\n')
        .filter((l) => /^\[h264 @|error while decoding|invalid nal/i.test(l));
      expect(decoderErrors).toEqual([]);
    }
  });

  it('gives segments consecutive wall-clock times on the frames clock, found by covering()', () => {
    const segments = ring.segments();
    for (let i = 1; i < segments.length; i++)
      expect(Math.abs(segments[i]!.startMs - segments[i - 1]!.endMs)).toBeLessThan(50);
    // A frame from the middle of the ring's time span lies in exactly the segment covering it.
    const first = segments[0]!;
    const last = segments.at(-1)!;
    const inside = frames.filter((f) => f.tsMs > first.startMs + 100 && f.tsMs < last.endMs - 100);
    expect(inside.length).toBeGreaterThan(10);
    for (const f of inside) expect(ring.covering(f.tsMs, f.tsMs).length).toBeGreaterThanOrEqual(1);
    expect(ring.covering(first.startMs - 60_000, first.startMs - 30_000)).toEqual([]);
    expect(ring.covering(first.startMs, last.endMs)).toEqual(segments);
  });

  it('after a stop and the next run start, every file on disk is a listed segment', () => {
    const listed = new Set(ring.segments().map((s) => path.basename(s.file)));
    ring.beginRun(Date.now());
    const files = segmentFiles(dir);
    expect(files.every((f) => listed.has(f))).toBe(true);
  });

  it('a new process finds the segments with their times in the ring index, and keeps them at its first run', () => {
    const before = ring.segments();
    expect(before.length).toBeGreaterThanOrEqual(2);
    const next = new SegmentRing({ dir, seconds: RING_SECONDS, segmentS: SEGMENT_S });
    expect(next.segments()).toEqual(before);
    next.beginRun(Date.now());
    expect(segmentFiles(dir).sort()).toEqual(before.map((s) => path.basename(s.file)).sort());
  });
});

/** The segment files in a ring directory (besides them it holds its index). */
function segmentFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.ts'));
}

describe('segment ring buffer failure', () => {
  it('keeps frames flowing when the ring cannot be written (directory replaced by a file mid-run), and brings the ring back', async () => {
    const base = tempDir('matthan-ring-fail-');
    const dir = path.join(base, 'cam-fail');
    const ring = new SegmentRing({ dir, seconds: 6, segmentS: 1 });
    let frames = 0;
    const statuses: string[] = [];
    const src = new FfmpegSource({
      cameraId: 'cam-fail',
      source: resolveSourceUrl('media:hcmc_intersection_1080p.mp4'), // keyframes every 0.37 s
      transport: 'tcp',
      realtime: true,
      loop: true,
      fps: 5,
      stallTimeoutS: 5,
      spec: { width: 160, height: 160, pixelFormat: 'rgb24', fit: 'stretch', padValue: 114 },
      log: logger('ingest-ring-fail-test'),
      ring,
      backoffMinMs: 100,
      ringRetryMs: 2000,
      onFrame: () => {
        frames++;
      },
      onStatus: (state, reason) => statuses.push(reason ? `${state}: ${reason}` : state),
    });
    try {
      src.start();
      const until = async (what: string, cond: () => boolean) => {
        const deadline = Date.now() + 40_000;
        while (!cond()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until('a ring segment', () => ring.segments().length >= 1);
      // The disk goes away under the muxer: the next segment cannot be opened.
      rmSync(dir, { recursive: true, force: true });
      writeFileSync(dir, 'not a directory');
      await until('the ring failure', () => src.ringFailures >= 1);
      const framesAtFailure = frames;
      await until('frames after the failure', () => frames >= framesAtFailure + 15);
      expect(statuses).toEqual(['online']); // the camera never went offline for the ring's sake
      expect(src.restarts).toBeGreaterThanOrEqual(1);
      // The disk is back: after the retry delay ffmpeg is restarted with the ring, which fills again.
      rmSync(dir, { force: true });
      const failures = src.ringFailures;
      const before = new Set(ring.segments().map((s) => s.file));
      await until('a new ring segment', () => ring.segments().some((s) => !before.has(s.file)));
      expect(src.ringFailures).toBe(failures);
      expect(statuses).toEqual(['online']);
    } finally {
      await src.stop();
    }
  }, 60_000);
});
