// Scoring against labelled boxes: cover (single box or a rider's person + motorbike), recall, id switches, false tracks.
import { describe, expect, it } from 'vitest';
import {
  type Box,
  cover,
  falseTracks,
  type LabelledFrame,
  type SeenFrame,
  scoreLabels,
} from '../../benchmarks/label-recall.ts';

const RIDER: Box = [0.4, 0.4, 0.5, 0.7];
const label = (id: number, box: Box = RIDER) => ({ id, kind: 'rider' as const, box });

describe('cover', () => {
  it.each<[string, { label: string; box: Box }[], boolean]>([
    ['nothing', [], false],
    ['the same box as a motorcycle', [{ label: 'motorcycle', box: RIDER }], true],
    ['the same box as a car: wrong class', [{ label: 'car', box: RIDER }], false],
    ['a box off by half', [{ label: 'motorcycle', box: [0.45, 0.55, 0.55, 0.85] }], false],
    [
      'person above motorbike, each too small alone',
      [
        { label: 'person', box: [0.4, 0.4, 0.5, 0.58] },
        { label: 'motorcycle', box: [0.41, 0.52, 0.5, 0.7] },
      ],
      true,
    ],
  ])('%s', (_n, candidates, covered) => {
    expect(cover(label(0), candidates) !== undefined).toBe(covered);
  });
});

describe('scoreLabels', () => {
  const labels: LabelledFrame[] = [0, 0.4, 0.8, 1.2].map((tS) => ({ tS, objects: [label(7)] }));
  const seen = (ids: (number | undefined)[]): SeenFrame[] =>
    ids.map((id, i) => ({
      tS: i * 0.4,
      detections: [{ label: 'motorcycle', box: RIDER }],
      tracks: id === undefined ? [] : [{ id, label: 'motorcycle', box: RIDER }],
    }));

  it.each<[string, (number | undefined)[], number, number, number]>([
    ['tracked throughout by one id', [1, 1, 1, 1], 1, 1, 0],
    ['confirmed from the second frame', [undefined, 1, 1, 1], 0.75, 1, 0],
    ['one id switch', [1, 1, 2, 2], 1, 1, 1],
    ['tracked on one frame of four', [undefined, undefined, 3, undefined], 0.25, 0, 0],
  ])('%s', (_n, ids, trackRecall, objectTrackRecall, idSwitches) => {
    const s = scoreLabels(labels, seen(ids), 'rider');
    expect(s).toMatchObject({
      objects: 1,
      boxes: 4,
      detectionRecall: 1,
      trackRecall,
      objectTrackRecall,
      idSwitches,
    });
  });

  it('no analysed frame near a labelled time counts as missed', () => {
    expect(scoreLabels(labels, [], 'rider')).toMatchObject({ detectionRecall: 0, trackRecall: 0 });
  });

  it('counts confirmed tracks in the roi that cover no label as false tracks', () => {
    const clip = {
      roi: [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ] as [number, number][],
      frames: labels,
    };
    const frames = seen([1, 1, 1, 1]).map((f) => ({
      ...f,
      tracks: [...f.tracks, { id: 9, label: 'car', box: [0.8, 0.1, 0.9, 0.2] as Box }],
    }));
    expect(falseTracks(clip, frames)).toBe(1);
  });
});
