// The top-5 yolox_nano boxes on a real photo vs an independent, straightforward implementation written here:
// its own ffmpeg command and letterbox arithmetic, its own tensor layout, its own session, the grid decode and
// NMS as MANIFEST.md states them, and its own mapping back to source pixels. It asks ffmpeg for bgr24 like the
// detector does: swscale's yuv->rgb24 and yuv->bgr24 paths round differently (up to 5 levels), which would
// move scores by ~1e-3 and hide real differences in the comparison.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector } from '../../edge/detect/create-detector.ts';
import type { Detection } from '../../edge/detect/detection.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { detectorConfig } from '../../edge/detect/detector-schema.ts';
import { stillFrame } from '../../edge/detect/still-frame.ts';
import { resolveModel } from '../../models/resolve.ts';
import { MODELS_DIR, media } from '../helpers/fixtures.ts';

const PHOTO = media('street_nyc_crossing.jpg');
const SIZE = 416;

interface RefBox {
  cls: number;
  score: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

async function referenceDetections(): Promise<{ boxes: RefBox[]; width: number; height: number }> {
  const probe = execFileSync('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height',
    '-of',
    'csv=p=0',
    PHOTO,
  ])
    .toString()
    .trim();
  const [width, height] = probe.split(',').map(Number) as [number, number];
  // Letterbox: keep aspect, even scaled size, picture at the top-left, grey 114 below/right.
  const r = Math.min(SIZE / width, SIZE / height);
  const sw = Math.round((width * r) / 2) * 2;
  const sh = Math.round((height * r) / 2) * 2;
  const bgr = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-loop',
      '1',
      '-i',
      PHOTO,
      '-frames:v',
      '1',
      '-vf',
      `scale=${sw}:${sh}:flags=fast_bilinear,format=bgr24,pad=${SIZE}:${SIZE}:0:0:color=0x727272`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'bgr24',
      'pipe:1',
    ],
    { maxBuffer: 10 * SIZE * SIZE },
  );
  expect(bgr.length).toBe(SIZE * SIZE * 3);
  // NCHW, BGR planes, raw 0..255.
  const input = new Float32Array(3 * SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const px = (y * SIZE + x) * 3;
      for (let c = 0; c < 3; c++) input[c * SIZE * SIZE + y * SIZE + x] = bgr[px + c]!;
    }
  }
  const session = await ort.InferenceSession.create(path.join(MODELS_DIR, 'yolox_nano.onnx'));
  const result = await session.run({ images: new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]) });
  const out = result.output!.data as Float32Array;
  await session.release();

  const candidates: RefBox[] = [];
  let row = 0;
  for (const stride of [8, 16, 32]) {
    const cells = SIZE / stride;
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        const v = out.subarray(row * 85, row * 85 + 85);
        row++;
        const classScores = Array.from(v.subarray(5));
        const best = Math.max(...classScores);
        const score = v[4]! * best;
        if (score < 0.3) continue;
        const cx = (v[0]! + gx) * stride;
        const cy = (v[1]! + gy) * stride;
        const w = Math.exp(v[2]!) * stride;
        const h = Math.exp(v[3]!) * stride;
        // Back to source pixels through the scale actually applied on each axis.
        candidates.push({
          cls: classScores.indexOf(best),
          score,
          x1: ((cx - w / 2) * width) / sw,
          y1: ((cy - h / 2) * height) / sh,
          x2: ((cx + w / 2) * width) / sw,
          y2: ((cy + h / 2) * height) / sh,
        });
      }
    }
  }
  expect(row).toBe(out.length / 85);
  candidates.sort((a, b) => b.score - a.score);
  const iou = (a: RefBox, b: RefBox) => {
    const iw = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
    const ih = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
    const inter = iw * ih;
    return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
  };
  const kept: RefBox[] = [];
  for (const c of candidates) {
    if (!kept.some((k) => k.cls === c.cls && iou(k, c) > 0.45)) kept.push(c);
  }
  return { boxes: kept, width, height };
}

describe('yolox_nano against an independent reference implementation', () => {
  let detector: Detector;
  let ours: Detection[];
  let ref: Awaited<ReturnType<typeof referenceDetections>>;

  beforeAll(async () => {
    const cfg = detectorConfig({ model: 'yolox_nano', confidence: 0.3, nmsIou: 0.45 });
    detector = await createDetector(resolveModel(cfg), cfg);
    const frame = await stillFrame(PHOTO, detector.frameSpec); // the production graph, fast_bilinear
    ours = await detector.detect(frame);
    ref = await referenceDetections();
  });
  afterAll(async () => {
    await detector?.close();
  });

  it('finds enough boxes to compare', () => {
    expect(ref.boxes.length).toBeGreaterThanOrEqual(5);
    expect(ours.length).toBe(ref.boxes.length);
  });

  it.each([0, 1, 2, 3, 4])('box #%i: same class and score, corners within 1 px of the source photo', (i) => {
    const a = ours[i]!;
    const b = ref.boxes[i]!;
    expect(a.classId).toBe(b.cls);
    expect(a.score).toBeCloseTo(b.score, 4);
    const px = [
      a.boxXyxyNorm[0] * ref.width,
      a.boxXyxyNorm[1] * ref.height,
      a.boxXyxyNorm[2] * ref.width,
      a.boxXyxyNorm[3] * ref.height,
    ];
    // The reference does not clamp; compare inside the picture only.
    const refPx = [b.x1, b.y1, b.x2, b.y2].map((v, k) =>
      Math.min(Math.max(v, 0), k % 2 ? ref.height : ref.width),
    );
    for (const [k, v] of px.entries()) expect(Math.abs(v - refPx[k]!)).toBeLessThanOrEqual(1);
  });
});
