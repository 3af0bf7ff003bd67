// Licence plates on the real clips: ffmpeg + ring + yolox_nano + ByteTrack + red_light, plates read by PP-OCRv4 on
// full-resolution ring frames and voted per track, scored against plates read by eye (test/fixtures).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.ts';
import type { MatthanEvent } from '../../contract/index.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { createDetector } from '../../edge/detect/create-detector.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { PlateOcr } from '../../edge/plate/plate-ocr.ts';
import { PlateReader } from '../../edge/plate/plate-reader.ts';
import { type PlateRead, votePlate } from '../../edge/plate/plate-vote.ts';
import type { RawImage } from '../../edge/plate/raw-image.ts';
import { boxAt } from '../../edge/plate/track-box-history.ts';
import { mediaDir } from '../../models/asset-dirs.ts';
import { resolveModel } from '../../models/resolve.ts';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.ts';
import { type PlateClipRun, runPlateClip } from '../helpers/plate-clip.ts';

interface Label {
  text: string;
  colour: string;
  kind: string;
  tS: number;
  plateBoxXyxyPx: [number, number, number, number];
}
const LABELS = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'test/fixtures/plates-labelled.json'), 'utf8'),
) as {
  clips: Record<string, Label[]>;
};

/**
 * The whole clip's violations arrive within 10 s (the file is read faster than real time), a burst far past
 * what holdEndS (30 s of wall clock) is sized for; the test waits for every plate instead of timing ends out.
 */
const INTERSECTION = `
site: hcmc-d1
plates: { holdEndS: 300 }
cameras:
  - id: cam-stop
    source: { url: media:hcmc_intersection_1080p.mp4, realtime: false, loop: false }
    fps: 5
    # Whole-frame detection, as these labelled reads were measured with. With the default regions (2x2 tiles and
    # the whole frame: five inferences a frame) the dark sedan's boxes move by up to 0.012 of the frame around
    # 4 s, and one window of consecutive frames then votes its known misread 30E-509.57 (0.625); the service's own
    # votes stay right or unreadable. Read flat out, five inferences a frame also skip frames.
    regions: { mode: frame }
    signal: { source: fixed, state: red }
    lines: [{ id: stop-line, points: [[0, 0.63], [1, 0.665]] }]
    rules:
      - { id: red-light, type: red_light, line: stop-line, approachPoint: [0.5, 0.9], classes: [car, motorcycle, bus, truck] }
`;

const CLIP_FPS = 30;
const FRAME_BYTES = 1920 * 1080 * 3;

/** Every frame of the clip in [fromS, toS] (clip time: frame n at n / 30 s), full resolution RGB. */
function clipFrames(fromS: number, toS: number): { tS: number; image: RawImage }[] {
  const f0 = Math.max(0, Math.round(fromS * CLIP_FPS));
  const f1 = Math.round(toS * CLIP_FPS);
  const out = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', path.join(mediaDir(), 'hcmc_intersection_1080p.mp4')].concat([
      '-vf',
      `select='between(n,${f0},${f1})'`,
      '-vsync',
      '0',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ]),
    { maxBuffer: (f1 - f0 + 2) * FRAME_BYTES },
  ).stdout;
  const frames: { tS: number; image: RawImage }[] = [];
  for (let i = 0; (i + 1) * FRAME_BYTES <= out.length; i++)
    frames.push({
      tS: (f0 + i) / CLIP_FPS,
      image: {
        data: new Uint8Array(out.buffer, out.byteOffset + i * FRAME_BYTES, FRAME_BYTES),
        width: 1920,
        height: 1080,
      },
    });
  return frames;
}

/** Measured with plates.mode all (the second suite): 5 of 7 right, 0 wrong (30A-153.96 and 30E-609.57 unreadable). */
const RIGHT_OF_ALL_SEVEN = 5;

/**
 * The track whose box holds the labelled plate's centre on the frame nearest the label's time (the smallest such
 * box). A track is recorded once confirmed, a few frames after it appears: a label on the clip's first frames
 * matches the track's first box up to 0.5 s later (the vehicles standing at the line barely move in it).
 */
function trackOfLabel(run: PlateClipRun, label: Label, width: number, height: number): number | undefined {
  const cx = (label.plateBoxXyxyPx[0] + label.plateBoxXyxyPx[2]) / 2 / width;
  const cy = (label.plateBoxXyxyPx[1] + label.plateBoxXyxyPx[3]) / 2 / height;
  let best: { id: number; area: number } | undefined;
  for (const [id, t] of run.tracks) {
    const near = t.boxes.filter((x) => Math.abs(x.tS - label.tS) < 0.5);
    const b = near.sort((x, y) => Math.abs(x.tS - label.tS) - Math.abs(y.tS - label.tS))[0]?.boxXyxyNorm;
    if (!b || cx < b[0] || cx > b[2] || cy < b[1] || cy > b[3]) continue;
    const area = (b[2] - b[0]) * (b[3] - b[1]);
    if (!best || area < best.area) best = { id, area };
  }
  return best?.id;
}

describe('plates on red_light events of the intersection clip (signal fixed red)', () => {
  let detector: Detector;
  let ocr: PlateOcr;
  let run: PlateClipRun;
  const confusion = { right: [] as string[], wrong: [] as string[], unreadable: [] as string[] };
  let scored: { label: Label; end: MatthanEvent }[] = [];
  /** plates.readsPerTrack: the reads one vote sees. */
  let readsPerTrack = 0;

  beforeAll(async () => {
    const cfg = parseConfig(INTERSECTION, 'plates-test.yaml', EdgeConfigSchema, { env: {} });
    readsPerTrack = cfg.plates.readsPerTrack;
    detector = await createDetector(resolveModel(cfg.detector), cfg.detector);
    ocr = await PlateOcr.load({ detLongSidePx: cfg.plates.detLongSidePx });
    run = await runPlateClip(cfg, cfg.cameras[0]!, detector, ocr, tempDir('matthan-plates-'));
    const ends = run.events.filter((e) => e.rule === 'red-light' && e.phase === 'end');
    scored = LABELS.clips['hcmc_intersection_1080p.mp4']!.flatMap((label) => {
      const id = trackOfLabel(run, label, 1920, 1080);
      const end = ends.find((e) => e.trackId === id);
      return end ? [{ label, end }] : [];
    });
    for (const { label, end } of scored) {
      const got = end.plate?.text;
      const line = `${label.text} -> ${got ?? 'unreadable'} (${end.plate?.confidence ?? 0}, ${end.plate?.reads ?? 0} reads)`;
      if (!got) confusion.unreadable.push(line);
      else if (got === label.text) confusion.right.push(line);
      else confusion.wrong.push(line);
    }
    console.log(`plate confusion on red_light events: ${JSON.stringify(confusion, null, 1)}`);
    console.log(`plate counters: ${JSON.stringify(run.service.counters)}`);
  }, 600_000);

  afterAll(async () => {
    await detector?.close();
    await ocr?.close();
  });

  it('every red_light end carries a plate verdict, never a guess: text only with a readable confidence', () => {
    const ends = run.events.filter((e) => e.rule === 'red-light' && e.phase === 'end');
    expect(ends.length).toBeGreaterThanOrEqual(6);
    for (const e of ends) {
      expect(e.plate, `end of track ${e.trackId}`).toBeDefined();
      if (e.plate?.text) expect(e.plate.confidence).toBeGreaterThanOrEqual(0.5);
      expect(e.plate!.reads).toBeGreaterThanOrEqual(0);
    }
    // Start messages go out at once, before any plate is read.
    for (const s of run.events.filter((e) => e.rule === 'red-light' && e.phase === 'start'))
      expect(s.plate).toBeUndefined();
  });

  it('the labelled vehicles that ran the red light are found (the set covers the events)', () => {
    // red_light fires only for vehicles seen waiting behind the line (config/RULES.md): 6 on this clip, 4 of them
    // cars with plates readable by eye. The minivan and the Innova stand on the line at t = 0: not runners.
    expect(scored.length).toBeGreaterThanOrEqual(4);
    const texts = scored.map((s) => s.label.text);
    expect(texts).not.toContain('29D-044.88');
    expect(texts).not.toContain('30A-153.96');
  });

  it('no wrong plate is reported above the readable confidence', () => {
    expect(confusion.wrong).toEqual([]);
  });

  it('reads labelled plates exactly right after the vote, with their colour (the taxi is yellow)', () => {
    // Target 80 %; measured 3 of 4: the dark sedan's 30E-609.57 reads as 30E-509.57 at its sharpest frames
    // (the recogniser is sure of the 5) and as nothing at its nearest; it comes out unreadable, never wrong.
    expect(confusion.right.length).toBeGreaterThanOrEqual(3);
    for (const { label, end } of scored)
      if (end.plate?.text === label.text) expect(end.plate.colour).toBe(label.colour);
  });

  it('no run of readsPerTrack consecutive frames around a labelled plate votes a wrong plate', async () => {
    // Independent of which frames the service samples: every frame within 0.5 s of each label's time, read and
    // voted in windows of readsPerTrack frames in a row (the frames most alike, where a systematic misread like
    // the dark sedan's 30E-509.57 repeats most). Each window is unreadable or the labelled plate.
    const reader = new PlateReader(ocr);
    const windows: string[] = [];
    const wrong: string[] = [];
    for (const { label, end } of scored) {
      const samples = run.tracks
        .get(end.trackId!)!
        .boxes.map((b) => ({ tsMs: b.tS * 1000, boxXyxyNorm: b.boxXyxyNorm }));
      const reads: PlateRead[] = [];
      for (const f of clipFrames(label.tS - 0.5, label.tS + 0.5)) {
        const b = boxAt(samples, f.tS * 1000)!;
        const box: [number, number, number, number] = [b[0] * 1920, b[1] * 1080, b[2] * 1920, b[3] * 1080];
        const r = await reader.read(f.image, box, f.tS * 1000, run.tracks.get(end.trackId!)!.label);
        if (r) reads.push(r);
      }
      for (let i = 0; i < reads.length; i += readsPerTrack) {
        const v = votePlate(reads.slice(i, i + readsPerTrack));
        const line = `${label.text} @${(reads[i]!.tsMs / 1000).toFixed(2)}s: ${v.text ?? 'unreadable'} (${v.confidence})`;
        windows.push(line);
        if (v.text && v.text !== label.text) wrong.push(line);
      }
    }
    console.log(`windows of consecutive frames: ${JSON.stringify(windows, null, 1)}`);
    expect(windows.length).toBeGreaterThanOrEqual(scored.length);
    expect(wrong).toEqual([]);
  }, 300_000);

  it('a readable plate comes with its crop as evidence, the same id on the end message', () => {
    // (The crop needs an evidence sink; this run has none, so crops are checked in plate-evidence.test.ts.)
    const withText = scored.filter((s) => s.end.plate?.text);
    expect(withText.length).toBeGreaterThan(0);
  });
});

/** Every confirmed car-like track read (plates.mode all), so the labelled plates of vehicles that ran no light score too. */
const ALL_VEHICLES = `
site: hcmc-d1
plates: { holdEndS: 300, queueLimit: 200 }
cameras:
  - id: cam-all
    source: { url: media:hcmc_intersection_1080p.mp4, realtime: false, loop: false }
    fps: 5
    plates: { mode: all, classes: [car, bus, truck] }
`;

describe('plates of every labelled vehicle of the intersection clip (plates.mode all)', () => {
  let detector: Detector;
  let ocr: PlateOcr;
  const confusion = { right: [] as string[], wrong: [] as string[], unreadable: [] as string[] };
  const labels = LABELS.clips['hcmc_intersection_1080p.mp4']!;

  beforeAll(async () => {
    const cfg = parseConfig(ALL_VEHICLES, 'plates-all-test.yaml', EdgeConfigSchema, { env: {} });
    detector = await createDetector(resolveModel(cfg.detector), cfg.detector);
    ocr = await PlateOcr.load({ detLongSidePx: cfg.plates.detLongSidePx });
    const run = await runPlateClip(cfg, cfg.cameras[0]!, detector, ocr, tempDir('matthan-plates-all-'));
    for (const label of labels) {
      const id = trackOfLabel(run, label, 1920, 1080);
      const plate = id === undefined ? undefined : run.service.plateOf('cam-all', id);
      const got = plate?.text;
      const line = `${label.text} -> ${got ?? 'unreadable'} (${plate?.confidence ?? 0}, ${plate?.reads ?? 0} reads, track ${id ?? 'none'})`;
      if (!got) confusion.unreadable.push(line);
      else if (got === label.text) confusion.right.push(line);
      else confusion.wrong.push(line);
    }
    console.log(`plate confusion on all 7 labelled plates: ${JSON.stringify(confusion, null, 1)}`);
    console.log(`plate counters (mode all): ${JSON.stringify(run.service.counters)}`);
  }, 600_000);

  afterAll(async () => {
    await detector?.close();
    await ocr?.close();
  });

  it('scores every labelled plate: right, wrong or unreadable', () => {
    expect(confusion.right.length + confusion.wrong.length + confusion.unreadable.length).toBe(labels.length);
  });

  it('no wrong plate is reported above the readable confidence', () => {
    expect(confusion.wrong).toEqual([]);
  });

  it('reads the labelled plates it measured right (a floor, not the 80 % target)', () => {
    expect(confusion.right.length).toBeGreaterThanOrEqual(RIGHT_OF_ALL_SEVEN);
  });
});
