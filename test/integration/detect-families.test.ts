// The Detector contract over the real shared models: family checks at load, config checks, the transposed
// Ultralytics layout, DETR's orig_target_sizes mapping, agreement between families on the same photo.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector } from '../../edge/detect/create-detector.ts';
import type { Detection } from '../../edge/detect/detection.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import {
  type DetectorConfig,
  type DetectorFamily,
  detectorConfig,
} from '../../edge/detect/detector-schema.ts';
import { stillFrame } from '../../edge/detect/still-frame.ts';
import type { Frame } from '../../edge/ingest/frame.ts';
import { catalogEntry } from '../../models/catalog.ts';
import { resolveModel } from '../../models/resolve.ts';
import { MODELS_DIR, media, tempDir } from '../helpers/fixtures.ts';

const dir = tempDir('matthan-detect-');
const load = async (cfg: Partial<DetectorConfig>) => {
  const full = detectorConfig({ intraOpThreads: 1, ...cfg });
  return createDetector(resolveModel(full, { configDir: dir }), full);
};
const modelFile = (name: string) => path.join(MODELS_DIR, catalogEntry(name)!.file);
const NYC = media('street_nyc_crossing.jpg');

function iou(a: Detection['boxXyxyNorm'], b: Detection['boxXyxyNorm']): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

describe('a model file that does not fit the configured family fails at load, saying so', () => {
  const cases: [string, DetectorFamily, DetectorFamily][] = [
    ['yolox_nano', 'ultralytics', 'yolox'],
    ['yolox_nano', 'detr', 'yolox'],
    ['yolov8n_int8_dynamic', 'yolox', 'ultralytics'],
    ['yolov8n_int8_dynamic', 'detr', 'ultralytics'],
    ['deimv2_atto', 'yolox', 'detr'],
    ['deimv2_femto', 'ultralytics', 'detr'],
  ];
  it.each(cases)('%s loaded as %s', async (name, family, actual) => {
    const err = await load({ model: modelFile(name), family }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain(`does not fit family ${family}`);
    expect(message).toContain(`It looks like family ${actual}: set detector.family: ${actual}`);
    expect(message).toContain(path.basename(modelFile(name)));
  });

  it('a catalog name with a contradicting family is refused before loading', async () => {
    await expect(load({ model: 'deimv2_atto', family: 'yolox' })).rejects.toThrow(
      'model deimv2_atto is family detr, but the config says family yolox',
    );
  });
});

describe('config checks at load', () => {
  it('input size read from the model must match detector.inputSize', async () => {
    await expect(load({ model: 'yolox_nano', inputSize: 320 })).rejects.toThrow(
      'input width is 416px but detector.inputSize is 320',
    );
  });

  it('a label file whose length does not match the model is refused', async () => {
    writeFileSync(path.join(dir, 'three.txt'), 'xe may\no to\nnguoi\n');
    await expect(load({ model: 'yolox_nano', labels: 'three.txt' })).rejects.toThrow(
      'expected 5 + 3 columns (x, y, w, h, obj, one score per label), found 85',
    );
    await expect(
      load({ model: modelFile('yolov8n_int8_dynamic'), family: 'ultralytics', labels: 'three.txt' }),
    ).rejects.toThrow('expected 4 + 3 rows');
  });

  it('a custom label file names the classes', async () => {
    const coco = readFileSync(path.join(MODELS_DIR, 'coco80.txt'), 'utf8').trim().split('\n');
    const vi = coco.map((l) => ({ person: 'người', car: 'ô tô', motorcycle: 'xe máy' })[l] ?? l);
    writeFileSync(path.join(dir, 'vi.txt'), `${vi.join('\n')}\n`);
    const det = await load({ model: modelFile('yolox_nano'), family: 'yolox', labels: 'vi.txt' });
    try {
      const dets = await det.detect(await stillFrame(NYC, det.frameSpec));
      const labels = new Set(dets.map((d) => d.label));
      expect(labels).toContain('ô tô');
      expect(labels).toContain('người');
      expect(labels).not.toContain('car');
    } finally {
      await det.close();
    }
  });

  it('an execution provider the runtime does not offer fails with the list it offers', async () => {
    await expect(load({ model: 'yolox_nano', executionProvider: 'coreml' })).rejects.toThrow(
      /executionProvider 'coreml' is not offered by this onnxruntime-node \(offered: cpu/,
    );
  });

  it('unknown class names in the allow-list are refused', async () => {
    await expect(load({ model: 'deimv2_atto', classes: ['car', 'tuk-tuk'] })).rejects.toThrow(
      "detector.classes: unknown class 'tuk-tuk'",
    );
  });
});

describe.each([
  'yolox_nano',
  'yolov8n_int8_dynamic',
  'deimv2_atto',
  'deimv2_femto',
])('Detector contract: %s', (name) => {
  let det: Detector;
  let frame: Frame;
  beforeAll(async () => {
    det = await load({ model: name, confidence: 0.3 });
    frame = await stillFrame(NYC, det.frameSpec);
  });
  afterAll(async () => {
    await det?.close();
  });

  it('declares the frame its family needs', () => {
    const fit = { yolox: 'letterbox-topleft', ultralytics: 'letterbox-center', detr: 'stretch' }[det.family];
    const format = { yolox: 'bgr24', ultralytics: 'rgb24', detr: 'rgb24' }[det.family];
    expect(det.frameSpec).toMatchObject({ fit, pixelFormat: format, width: catalogEntry(name)!.inputSize });
  });

  it('returns normalised boxes, best first, and the same result for the same frame twice', async () => {
    const a = await det.detect(frame);
    const other = await stillFrame(media('hcmc_intersection_frame.jpg'), det.frameSpec);
    await det.detect(other); // reused buffers must not leak one frame into the next
    const b = await det.detect(frame);
    expect(a.length).toBeGreaterThan(5);
    expect(b).toEqual(a);
    for (const d of a) {
      const [x1, y1, x2, y2] = d.boxXyxyNorm;
      expect(0 <= x1 && x1 < x2 && x2 <= 1 && 0 <= y1 && y1 < y2 && y2 <= 1).toBe(true);
      expect(d.label).toBe(det.labels[d.classId]);
    }
    expect(a.map((d) => d.score)).toEqual([...a.map((d) => d.score)].sort((x, y) => y - x));
    const t = det.lastTimings;
    expect(t.inferenceMs).toBeGreaterThan(0);
    expect(t.preprocessMs).toBeGreaterThan(0);
  });

  it('refuses a frame of the wrong size with a message naming both', async () => {
    const bad: Frame = {
      ...frame,
      spec: { ...frame.spec, width: 100, height: 100 },
      data: Buffer.alloc(100 * 100 * 3),
    };
    await expect(det.detect(bad)).rejects.toThrow(/is 100x100 .* needs \d+x\d+/);
  });
});

describe('detector-wide class allow-list and per-class confidence', () => {
  it.each([
    ['yolox_nano', 0.3],
    ['deimv2_femto', 0.4],
  ])('%s keeps only listed classes, each at its own threshold', async (name, confidence) => {
    const base = await load({ model: name, confidence });
    const frame = await stillFrame(NYC, base.frameSpec);
    const all = await base.detect(frame);
    await base.close();
    const filtered = await load({
      model: name,
      confidence,
      classes: ['car', 'person'],
      classConfidence: { person: 0.6 },
    });
    const some = await filtered.detect(frame);
    await filtered.close();
    const expected = all.filter((d) => d.label === 'car' || (d.label === 'person' && d.score >= 0.6));
    expect(some).toEqual(expected);
    expect(some.some((d) => d.label === 'person')).toBe(true);
    expect(all.length).toBeGreaterThan(some.length);
  });
});

describe('DETR family: boxes come back in the orig_target_sizes pixel space', () => {
  let det: Detector;
  beforeAll(async () => {
    det = await load({ model: 'deimv2_femto', confidence: 0.4 });
  });
  afterAll(async () => {
    await det?.close();
  });

  it('normalised boxes do not depend on the source size given (stretched input)', async () => {
    const frame = await stillFrame(NYC, det.frameSpec);
    const atSource = await det.detect(frame); // orig_target_sizes = [2380, 1580]
    const atInput = await det.detect({ ...frame, sourceWidth: 416, sourceHeight: 416 });
    const odd = await det.detect({ ...frame, sourceWidth: 1000, sourceHeight: 3000 });
    expect(atSource.length).toBeGreaterThan(5);
    for (const other of [atInput, odd]) {
      expect(other.map((d) => d.classId)).toEqual(atSource.map((d) => d.classId));
      other.forEach((d, i) => {
        for (let k = 0; k < 4; k++) expect(d.boxXyxyNorm[k]).toBeCloseTo(atSource[i]!.boxXyxyNorm[k]!, 3);
      });
    }
  });
});

describe('the three families agree on where the objects are (mapping back from each fit)', () => {
  it('every strong femto box has a same-class yolox and yolov8 box over it', async () => {
    const results: Record<string, Detection[]> = {};
    for (const name of ['deimv2_femto', 'yolox_nano', 'yolov8n_int8_dynamic']) {
      const det = await load({ model: name, confidence: 0.3 });
      results[name] = await det.detect(await stillFrame(NYC, det.frameSpec));
      await det.close();
    }
    const strong = results.deimv2_femto!.filter((d) => d.score >= 0.6);
    expect(strong.length).toBeGreaterThanOrEqual(3);
    for (const ref of strong) {
      for (const other of ['yolox_nano', 'yolov8n_int8_dynamic']) {
        const best = Math.max(
          0,
          ...results[other]!.filter((d) => d.classId === ref.classId).map((d) =>
            iou(d.boxXyxyNorm, ref.boxXyxyNorm),
          ),
        );
        expect(best, `${other} vs femto ${ref.label} ${ref.boxXyxyNorm.join(',')}`).toBeGreaterThan(0.6);
      }
    }
  });
});

describe('DETR dedupe of near-identical queries', () => {
  // MANIFEST.md: "Atto did output one duplicate person box (0.66 / 0.64, same box) on street_nyc_bus_taxi.jpg".
  // Reproduced with a standard (bilinear) resize of the photo, as the MANIFEST made it.
  const sameClassPairs = (dets: Detection[], above: number) => {
    const pairs: [Detection, Detection][] = [];
    for (let i = 0; i < dets.length; i++)
      for (let j = i + 1; j < dets.length; j++)
        if (dets[i]!.classId === dets[j]!.classId && iou(dets[i]!.boxXyxyNorm, dets[j]!.boxXyxyNorm) > above)
          pairs.push([dets[i]!, dets[j]!]);
    return pairs;
  };

  it('deimv2_atto: the duplicate person is there without dedupe and gone with the default', async () => {
    const raw = await load({ model: 'deimv2_atto', confidence: 0.4, dedupeIou: 1 });
    const frame = await stillFrame(media('street_nyc_bus_taxi.jpg'), raw.frameSpec, {
      scaleFlags: 'bilinear',
    });
    const all = await raw.detect(frame);
    await raw.close();
    const deduped = await load({ model: 'deimv2_atto', confidence: 0.4 });
    const kept = await deduped.detect(frame);
    await deduped.close();

    const dups = sameClassPairs(all, 0.8);
    expect(dups.some(([a]) => a.label === 'person')).toBe(true);
    expect(sameClassPairs(kept, 0.8)).toEqual([]);
    // Exactly the lower-scored box of each duplicate pair goes; everything else stays.
    const dropped = new Set(dups.map(([a, b]) => (a.score >= b.score ? b : a)));
    expect(kept).toEqual(all.filter((d) => !dropped.has(d)));
  });
});

describe('session options', () => {
  it('graph optimisation disabled gives the same detections as all', async () => {
    const results: Detection[][] = [];
    for (const graphOptimizationLevel of ['disabled', 'all'] as const) {
      const det = await load({ model: 'yolox_nano', graphOptimizationLevel });
      results.push(await det.detect(await stillFrame(NYC, det.frameSpec)));
      await det.close();
    }
    const [plain, optimised] = results as [Detection[], Detection[]];
    expect(plain.length).toBe(optimised.length);
    plain.forEach((d, i) => {
      expect(d.classId).toBe(optimised[i]!.classId);
      expect(d.score).toBeCloseTo(optimised[i]!.score, 3);
      for (let k = 0; k < 4; k++) expect(d.boxXyxyNorm[k]).toBeCloseTo(optimised[i]!.boxXyxyNorm[k]!, 3);
    });
  });
});
