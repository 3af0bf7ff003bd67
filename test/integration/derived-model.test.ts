// A camera-shaped input derived from the real yolox_nano file: written once into the cache by its own sha256,
// detecting what the square 416x416 input detects on 16:9 photos and clip frames, and refused with the reason
// for graphs that are not size-agnostic (the int8 YOLOv8, a DETR model) or for a config asking for both sizes.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipFrames } from '../../edge/detect/clip-frames.ts';
import { createDetector } from '../../edge/detect/create-detector.ts';
import { detectionAgreement } from '../../edge/detect/detection-agreement.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { type DetectorConfig, detectorConfig } from '../../edge/detect/detector-schema.ts';
import { stillFrame } from '../../edge/detect/still-frame.ts';
import { deriveModel, withInputShape } from '../../models/derived-model.ts';
import { resolveModel, sha256File } from '../../models/resolve.ts';
import { MODELS_DIR, media, tempDir } from '../helpers/fixtures.ts';

const SHAPED = { width: 416, height: 256 };
const SQUARE = { width: 416, height: 416 };
/** 16:9 material: the photos a camera could have taken, and frames of the three clips. */
const PHOTOS_16_9 = ['street_intersection_buses.jpg', 'hcmc_intersection_frame.jpg'];
const CLIPS = ['hcmc_intersection_1080p.mp4', 'us_street_intersection_360p.mp4', 'hcmc_street_wrongway.mp4'];
const FRAMES_PER_CLIP = 6;

async function load(dataDir: string, partial: Partial<DetectorConfig>) {
  const cfg = detectorConfig({ model: 'yolox_nano', intraOpThreads: 1, ...partial });
  const { model, derived } = await withInputShape(resolveModel(cfg), cfg, dataDir);
  return { det: await createDetector(model, cfg), derived };
}

describe('yolox_nano with a derived 416x256 input', () => {
  const dataDir = tempDir('matthan-derived-');
  let square: Detector;
  let shaped: Detector;
  let derivedFile = '';
  let derivedSha = '';

  beforeAll(async () => {
    square = (await load(dataDir, { inputShape: SQUARE })).det;
    const s = await load(dataDir, {});
    shaped = s.det;
    derivedFile = s.derived!.file;
    derivedSha = s.derived!.sha256;
  }, 120_000);
  afterAll(async () => {
    await square?.close();
    await shaped?.close();
  });

  it('is the default for yolox_nano, written to {dataDir}/cache/models under its own sha256', () => {
    expect(shaped.frameSpec).toMatchObject({ width: 416, height: 256, fit: 'letterbox-topleft' });
    expect(square.frameSpec).toMatchObject({ width: 416, height: 416 });
    expect(path.dirname(derivedFile)).toBe(path.join(dataDir, 'cache', 'models'));
    expect(path.basename(derivedFile)).toBe(`yolox_nano-416x256-b1-${derivedSha.slice(0, 12)}.onnx`);
    expect(sha256File(derivedFile)).toBe(derivedSha);
    // The shared file is untouched and still the catalog's.
    expect(sha256File(path.join(MODELS_DIR, 'yolox_nano.onnx'))).toBe(
      '695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14',
    );
  });

  it('derives the same bytes again, and replaces a corrupted cache file', async () => {
    writeFileSync(derivedFile, 'not a model');
    const again = await deriveModel(
      path.join(MODELS_DIR, 'yolox_nano.onnx'),
      { ...SHAPED, batch: 1 },
      path.dirname(derivedFile),
    );
    expect(again.sha256).toBe(derivedSha);
    expect(again.file).toBe(derivedFile);
    expect(sha256File(derivedFile)).toBe(derivedSha);
    expect(again.outputDims).toEqual({ output: [1, 52 * 32 + 26 * 16 + 13 * 8, 85] });
  }, 60_000);

  it('finds what the square input finds on 16:9 photos and clip frames', async () => {
    const total = { reference: 0, candidate: 0, matched: 0 };
    const add = (a: ReturnType<typeof detectionAgreement>) => {
      total.reference += a.reference;
      total.candidate += a.candidate;
      total.matched += a.matched;
    };
    for (const photo of PHOTOS_16_9) {
      const ref = await square.detect(await stillFrame(media(photo), square.frameSpec));
      const got = await shaped.detect(await stillFrame(media(photo), shaped.frameSpec));
      add(detectionAgreement(ref, got));
    }
    for (const clip of CLIPS) {
      const a = await clipFrames(media(clip), square.frameSpec, FRAMES_PER_CLIP, 1);
      const b = await clipFrames(media(clip), shaped.frameSpec, FRAMES_PER_CLIP, 1);
      expect(b).toHaveLength(a.length);
      for (let i = 0; i < a.length; i++)
        add(detectionAgreement(await square.detect(a[i]!), await shaped.detect(b[i]!)));
    }
    // Measured: 442 reference boxes, recall 0.99, precision 0.98 over 4 photos and 28 clip frames.
    expect(total.reference).toBeGreaterThan(150);
    expect(total.matched / total.reference).toBeGreaterThanOrEqual(0.95);
    expect(total.matched / total.candidate).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it('takes a dynamic batch whose frames give their single-frame outputs', async () => {
    const d = await deriveModel(
      path.join(MODELS_DIR, 'yolox_nano.onnx'),
      { ...SHAPED, batch: 'dynamic' },
      path.join(dataDir, 'batch'),
    );
    expect(path.basename(d.file)).toMatch(/^yolox_nano-416x256-bbatch-[0-9a-f]{12}\.onnx$/);
    expect(d.sha256).not.toBe(derivedSha);
  }, 60_000);

  it('keeps the square model when the config asks for the file size', async () => {
    const cfg = detectorConfig({ model: 'yolox_nano', inputShape: SQUARE });
    const r = await withInputShape(resolveModel(cfg), cfg, dataDir);
    expect(r.derived).toBeUndefined();
    expect(r.model.file).toBe(path.join(MODELS_DIR, 'yolox_nano.onnx'));
    // A custom file (no catalog size) asked for its own shape is not copied either.
    const custom = detectorConfig({
      model: path.join(MODELS_DIR, 'yolox_nano.onnx'),
      family: 'yolox',
      inputShape: SQUARE,
    });
    const c = await withInputShape(resolveModel(custom), custom, dataDir);
    expect(c.derived).toBeUndefined();
    expect(c.model.file).toBe(path.join(MODELS_DIR, 'yolox_nano.onnx'));
  });
});

describe('derived input shapes that cannot work are refused with the reason', () => {
  const dataDir = tempDir('matthan-derived-refused-');

  it.each([
    [
      'the int8 YOLOv8 (its 8400 anchors are constants of the graph)',
      { model: 'yolov8n_int8_dynamic', inputShape: { width: 640, height: 384 } },
      /of yolov8n_int8_dynamic: the model does not load with input 640x384 batch 1: .*Inferred=5040 Declared=8400/,
    ],
    [
      'a DETR model',
      { model: 'deimv2_femto', inputShape: SHAPED },
      'deimv2_femto is a DETR-family model, stretched to its square input',
    ],
    [
      'inputShape and inputSize together',
      { model: 'yolox_nano', inputShape: SHAPED, inputSize: 416 },
      'detector.inputShape replaces detector.inputSize',
    ],
  ])('%s', async (_name, partial, message) => {
    const cfg = detectorConfig(partial as Partial<DetectorConfig>);
    await expect(withInputShape(resolveModel(cfg), cfg, dataDir)).rejects.toThrow(message);
    // Nothing half-derived is left behind for the next start to trip over.
    const cache = path.join(dataDir, 'cache', 'models');
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
  });

  it('a cache directory that cannot be written', async () => {
    const blocked = path.join(dataDir, 'blocked');
    writeFileSync(blocked, 'a file where the cache directory should be');
    const cfg = detectorConfig({ model: 'yolox_nano' });
    await expect(withInputShape(resolveModel(cfg), cfg, blocked)).rejects.toThrow(
      /detector.inputShape 416x256 of yolox_nano: cannot write the derived model to .*blocked\/cache\/models/,
    );
  });

  it('a file that is not ONNX', async () => {
    const file = path.join(dataDir, 'bogus.onnx');
    writeFileSync(file, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    await expect(deriveModel(file, { ...SHAPED, batch: 1 }, dataDir)).rejects.toThrow(
      'bogus.onnx: not an ONNX model',
    );
    expect(readFileSync(file).length).toBe(5);
  });
});
