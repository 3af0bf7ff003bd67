// Evidence from a real ring: the HCMC clip cut into MPEG-TS segments (the ring's format) and held in a real
// SegmentRing; an event at 5.2 s gets full-resolution snapshots and a 5 s + 5 s MP4 clip checked with ffprobe.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EvidenceRecorder,
  type EvidenceSink,
  evidenceIds,
  type RecorderOptions,
} from '../../edge/evidence/evidence-recorder.ts';
import { SegmentRing } from '../../edge/ingest/segment-ring.ts';
import type { NewEvidence } from '../../edge/outbox/outbox-store.ts';
import { SqliteOutboxStore } from '../../edge/outbox/sqlite-outbox-store.ts';
import { logger } from '../../lib/log.ts';
import { media, sampleEvent, tempDir } from '../helpers/fixtures.ts';

const CLIP = media('hcmc_intersection_1080p.mp4');
const BASE_MS = 1_763_700_000_000; // wall-clock time of the clip's first frame
const EVENT_S = 5.2;
/** Presentation time (s) of every source frame (the clip is not exactly 30 fps, so index/30 is not a time). */
const frameTimes = (file: string) =>
  execFileSync('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'frame=pts_time',
    '-of',
    'csv=p=0',
    file,
  ])
    .toString()
    .trim()
    .split('\n')
    .map(Number);
const FRAME_S = 1 / 30;
const THUMB = { w: 64, h: 36 };

/** Gray 64x36 thumbnails of every frame of a video, to find which source frame a clip frame shows. */
function thumbs(file: string, inputArgs: string[] = [], outputArgs: string[] = []): Buffer[] {
  const raw = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      ...inputArgs,
      '-i',
      file,
      ...outputArgs,
      '-vf',
      `scale=${THUMB.w}:${THUMB.h},format=gray`,
      '-f',
      'rawvideo',
      '-',
    ],
    { maxBuffer: 1 << 26 },
  );
  const n = THUMB.w * THUMB.h;
  return Array.from({ length: Math.floor(raw.length / n) }, (_, i) => raw.subarray(i * n, (i + 1) * n));
}
/** First and last displayed frames only (decoding a whole 1080p clip is slow on a loaded box). */
const firstFrame = (file: string) => thumbs(file, [], ['-frames:v', '1'])[0]!;
const lastFrame = (file: string) => thumbs(file, ['-sseof', '-0.4']).at(-1)!;
const diff = (a: Buffer, b: Buffer) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
const bestMatch = (frame: Buffer, source: Buffer[]) =>
  source.reduce((best, f, i) => (diff(frame, f) < best.d ? { i, d: diff(frame, f) } : best), {
    i: -1,
    d: Infinity,
  });

function ffprobe(file: string): {
  format: { duration: string; format_name: string };
  streams: { codec_name: string; pix_fmt: string; width: number; height: number }[];
} {
  return JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file]).toString(),
  );
}

// ffmpeg on 1080p shares 2 cores with other test files: generous time limits (behaviour is asserted, not speed).
describe('evidence from the segment ring on the HCMC clip', { timeout: 180_000 }, () => {
  const dir = tempDir('matthan-evclip-');
  const ringDir = path.join(dir, 'ring', 'cam-a');
  const evidenceDir = path.join(dir, 'evidence');
  const store = new SqliteOutboxStore(path.join(dir, 'outbox.sqlite'));
  const ring = new SegmentRing({ dir: ringDir, seconds: 60, segmentS: 2 });
  const segments: { file: string; startMs: number; endMs: number }[] = [];
  let source: Buffer[];
  let times: number[];
  const clockMs = BASE_MS + 12_000; // the recorder's "now": just after the clip's post-roll was recorded
  const sink: EvidenceSink = {
    store,
    evidenceDir,
    addEvidence: (item: NewEvidence) => store.addEvidence(item, Date.now()),
    evidenceReady: (id, file, bytes) => store.markEvidenceReady(id, file, bytes),
    evidenceFailed: (id) => void store.removeEvidence(id),
  };
  const opts: RecorderOptions = {
    preRollS: 5,
    postRollS: 5,
    snapshot: true,
    clip: true,
    jpegQuality: 85,
    clipMode: 'copy',
    captureTimeoutS: 3600,
    timezone: 'Asia/Ho_Chi_Minh',
  };
  const camera = {
    ring,
    name: 'Ngã tư test',
    zones: [
      {
        id: 'waiting-area',
        polygon: [
          [0, 0.45],
          [1, 0.45],
          [1, 1],
          [0, 1],
        ] as [number, number][],
      },
    ],
    lines: [],
  };
  const recorder = new EvidenceRecorder(
    sink,
    new Map([['cam-a', camera]]),
    opts,
    logger('test'),
    () => clockMs,
  );
  const event = sampleEvent({
    id: 'evt-hcmc-clip-0001',
    camera: 'cam-a',
    startTs: BASE_MS + EVENT_S * 1000,
    ts: BASE_MS + EVENT_S * 1000,
    boxXyxyNorm: [0.4, 0.55, 0.5, 0.7],
  });
  let attached: ReturnType<EvidenceRecorder['attach']>;

  beforeAll(() => {
    execFileSync('mkdir', ['-p', ringDir, evidenceDir]);
    // Exactly the ring's second ffmpeg output (edge/ingest/ffmpeg-args.ts ringOutputArgs), from the file.
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      CLIP,
      '-map',
      '0:v:0',
      '-an',
      '-c',
      'copy',
      '-bsf:v',
      'h264_mp4toannexb',
      '-f',
      'segment',
      '-segment_time',
      '2',
      '-segment_format',
      'mpegts',
      '-segment_list',
      path.join(dir, 'list.csv'),
      '-segment_list_type',
      'csv',
      path.join(ringDir, 'seg%03d.ts'),
    ]);
    for (const line of readFileSync(path.join(dir, 'list.csv'), 'utf8').trim().split('\n')) {
      const [file, s, e] = line.split(',');
      segments.push({
        file: path.join(ringDir, file!),
        startMs: BASE_MS + Number(s) * 1000,
        endMs: BASE_MS + Number(e) * 1000,
      });
    }
    source = thumbs(CLIP);
    times = frameTimes(CLIP);
    expect(times).toHaveLength(source.length);
  }, 180_000);
  afterAll(() => store.close());

  it('mints evidence ids at event start, before any capture', () => {
    attached = recorder.attach(event);
    expect(attached.evidence).toEqual(evidenceIds(event.id));
    expect(
      store
        .pendingEvidence(10)
        .map((e) => e.id)
        .sort(),
    ).toEqual(Object.values(evidenceIds(event.id)).sort());
    // Later messages of the event carry the same references.
    expect(recorder.attach({ ...event, seq: 1, phase: 'update' }).evidence).toEqual(attached.evidence);
  });

  it('takes the snapshots as soon as the segment holding the event frame is complete, and waits for the post-roll for the clip', async () => {
    for (const s of segments.filter((s) => s.endMs <= BASE_MS + 6500)) ring.add(s); // up to ~6.2 s recorded
    await recorder.tick();
    const ids = evidenceIds(event.id);
    expect(store.getEvidence(ids.snapshot)?.state).toBe('ready');
    expect(store.getEvidence(ids.snapshotClean)?.state).toBe('ready');
    expect(store.getEvidence(ids.clip)?.state).toBe('pending');
  });

  it('snapshots are full resolution; the clean one is the frame at the event time, the annotated one has the box drawn', async () => {
    const ids = evidenceIds(event.id);
    const clean = store.getEvidence(ids.snapshotClean)!.file!;
    const annotated = store.getEvidence(ids.snapshot)!.file!;
    for (const f of [clean, annotated]) {
      const m = await sharp(f).metadata();
      expect([m.format, m.width, m.height]).toEqual(['jpeg', 1920, 1080]);
    }
    const cleanThumb = firstFrame(clean);
    const match = bestMatch(cleanThumb, source);
    expect(Math.abs(times[match.i]! - EVENT_S)).toBeLessThanOrEqual(1.5 * FRAME_S);
    // The box's left edge (x = 0.4 * 1920 = 768 px) is green on the annotated image and not on the clean one.
    const px = async (f: string) => {
      const { data } = await sharp(f)
        .extract({ left: 766, top: 680, width: 4, height: 1 })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return [data[3]!, data[4]!, data[5]!];
    };
    const [r, g, b] = await px(annotated);
    expect(g).toBeGreaterThan(180);
    expect(r).toBeLessThan(100);
    expect(b).toBeLessThan(100);
    expect(await px(clean)).not.toEqual([r, g, b]);
  });

  it('cuts the clip once the post-roll is in the ring: H.264 MP4, faststart, pre+post long, starting at least the pre-roll early', async () => {
    for (const s of segments.filter((s) => s.endMs > BASE_MS + 6500)) ring.add(s);
    await recorder.tick();
    const item = store.getEvidence(evidenceIds(event.id).clip)!;
    expect(item.state).toBe('ready');
    const probe = ffprobe(item.file!);
    expect(probe.format.format_name).toContain('mp4');
    // Stream copy of the camera's H.264 (its full-range yuvj420p kept), not a re-encode.
    expect(probe.streams.map((s) => [s.codec_name, s.pix_fmt])).toEqual([['h264', 'yuvj420p']]);
    expect(Math.abs(Number(probe.format.duration) - (opts.preRollS + opts.postRollS))).toBeLessThanOrEqual(1);
    const bytes = readFileSync(item.file!);
    expect(bytes.indexOf('moov')).toBeGreaterThan(0);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat')); // faststart
    const first = bestMatch(firstFrame(item.file!), source);
    const last = bestMatch(lastFrame(item.file!), source);
    expect(first.d).toBeLessThan(3); // it is a frame of the source
    expect(times[first.i]!).toBeLessThanOrEqual(EVENT_S - opts.preRollS + 0.5 * FRAME_S);
    expect(times[last.i]!).toBeGreaterThanOrEqual(EVENT_S + opts.postRollS - 1);
    console.log(
      `clip: ${probe.format.duration} s, ${bytes.length} B, first frame at ${times[first.i]!.toFixed(3)} s, last at ${times[last.i]!.toFixed(3)} s (event ${EVENT_S} s)`,
    );
  });

  it('transcode mode gives a browser-safe H.264 (yuv420p) clip of the requested length', async () => {
    const rec = new EvidenceRecorder(
      sink,
      new Map([['cam-a', camera]]),
      { ...opts, preRollS: 1, postRollS: 1, clipMode: 'transcode', snapshot: false },
      logger('test'),
      () => clockMs,
    );
    const ev = rec.attach(
      sampleEvent({ id: 'evt-hcmc-clip-0002', camera: 'cam-a', startTs: BASE_MS + 3000, ts: BASE_MS + 3000 }),
    );
    await rec.tick();
    const item = store.getEvidence(ev.evidence!.clip!)!;
    expect(item.state).toBe('ready');
    const probe = ffprobe(item.file!);
    expect(probe.streams.map((s) => [s.codec_name, s.pix_fmt, s.width])).toEqual([['h264', 'yuv420p', 1920]]);
    expect(Math.abs(Number(probe.format.duration) - 2)).toBeLessThanOrEqual(1);
    const first = bestMatch(firstFrame(item.file!), source);
    expect(times[first.i]!).toBeLessThanOrEqual(2 + 0.5 * FRAME_S);
    expect(times[first.i]!).toBeGreaterThanOrEqual(2 - 0.5); // exact cut: no extra GOP before the pre-roll
  });

  it('gives up on evidence whose frames the ring never held once the capture deadline passed', async () => {
    let now = BASE_MS + 61_000;
    const rec = new EvidenceRecorder(
      sink,
      new Map([['cam-a', camera]]),
      { ...opts, captureTimeoutS: 5 },
      logger('test'),
      () => now,
    );
    const ev = rec.attach(
      sampleEvent({
        id: 'evt-hcmc-clip-0003',
        camera: 'cam-a',
        startTs: BASE_MS + 60_000,
        ts: BASE_MS + 60_000,
      }),
    );
    await rec.tick();
    expect(store.getEvidence(ev.evidence!.snapshot!)?.state).toBe('pending'); // still within the deadline
    now = BASE_MS + 60_000 + 5000 + 5001;
    await rec.tick();
    expect(store.getEvidence(ev.evidence!.snapshot!)).toBeUndefined();
    expect(store.getEvidence(ev.evidence!.snapshotClean!)).toBeUndefined();
    expect(store.getEvidence(ev.evidence!.clip!)).toBeUndefined();
    expect(rec.counters.failed).toBe(2);
  });
});
