import { describe, expect, it } from 'vitest';
import type { Detection } from '../../edge/detect/detection.ts';
import { detectionAgreement } from '../../edge/detect/detection-agreement.ts';
import { requestedInputShape } from '../../models/derived-model.ts';

const det = (classId: number, box: [number, number, number, number], score = 0.8): Detection => ({
  classId,
  label: String(classId),
  score,
  boxXyxyNorm: box,
});
const A = det(2, [0.1, 0.1, 0.3, 0.3]);
const A_SHIFTED = det(2, [0.11, 0.1, 0.31, 0.3], 0.7); // IoU 0.82
const A_FAR = det(2, [0.2, 0.1, 0.4, 0.3]); // IoU 0.33
const A_OTHER_CLASS = det(3, [0.1, 0.1, 0.3, 0.3]);
const B = det(0, [0.5, 0.5, 0.6, 0.9]);

describe('detectionAgreement', () => {
  it.each([
    ['both empty', [], [], { matched: 0, recall: 1, precision: 1, meanScoreDiff: 0 }],
    ['reference empty', [], [A], { matched: 0, recall: 1, precision: 0 }],
    ['candidate empty', [A], [], { matched: 0, recall: 0, precision: 1 }],
    ['identical', [A, B], [B, A], { matched: 2, recall: 1, precision: 1, meanScoreDiff: 0 }],
    ['shifted box, other score', [A], [A_SHIFTED], { matched: 1, recall: 1, meanScoreDiff: 0.1 }],
    ['IoU below 0.5 is no match', [A], [A_FAR], { matched: 0, recall: 0, precision: 0 }],
    ['another class is no match', [A], [A_OTHER_CLASS], { matched: 0 }],
    [
      'one reference, two candidates: one pair',
      [A],
      [A, A_SHIFTED],
      { matched: 1, recall: 1, precision: 0.5 },
    ],
    [
      'two references, one candidate: one pair',
      [A, A_SHIFTED],
      [A],
      { matched: 1, recall: 0.5, precision: 1 },
    ],
  ] as [string, Detection[], Detection[], Record<string, number>][])('%s', (_name, ref, cand, expected) => {
    const got = detectionAgreement(ref, cand);
    expect(got.reference).toBe(ref.length);
    expect(got.candidate).toBe(cand.length);
    for (const [k, v] of Object.entries(expected)) expect(got[k as keyof typeof got]).toBeCloseTo(v, 6);
  });

  it('pairs the best IoU first', () => {
    // A_SHIFTED overlaps A better than A_FAR does: with one candidate each way the pair is (A, A_SHIFTED).
    expect(detectionAgreement([A], [A_FAR, A_SHIFTED]).meanScoreDiff).toBeCloseTo(0.1, 6);
  });
});

describe('requestedInputShape', () => {
  const catalog = { name: 'm', file: 'm.onnx', family: 'yolox' as const, labels: [], inputSize: 416 };
  const shaped = { ...catalog, cameraInputShape: { width: 416, height: 256 } };
  it.each([
    ['catalog camera shape by default', {}, shaped, { width: 416, height: 256 }],
    ['no camera shape in the catalog', {}, catalog, undefined],
    ['explicit shape wins', { inputShape: { width: 448, height: 256 } }, shaped, { width: 448, height: 256 }],
    ['explicit square size keeps the file', { inputSize: 416 }, shaped, undefined],
  ])('%s', (_name, cfg, model, expected) => {
    expect(requestedInputShape(cfg, model)).toEqual(expected);
  });
});
