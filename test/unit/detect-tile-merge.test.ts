// Merging the detections of overlapping crops: mapping to the frame, NMS across crops, joining boxes cut by a border.
import { describe, expect, it } from 'vitest';
import type { RectNorm } from '../../edge/detect/detect-regions.ts';
import type { Detection } from '../../edge/detect/detection.ts';
import { cutEdges, mapToFrame, mergeCropDetections } from '../../edge/detect/tile-merge.ts';

type B = [number, number, number, number];
const det = (label: string, score: number, box: B): Detection => ({
  classId: label === 'car' ? 2 : label === 'truck' ? 7 : label === 'person' ? 0 : 3,
  label,
  score,
  boxXyxyNorm: box,
});

/** Two tiles side by side overlapping over x 0.4..0.6, and their lower neighbours. */
const LEFT: RectNorm = [0, 0, 0.6, 0.6];
const RIGHT: RectNorm = [0.4, 0, 1, 0.6];
const LOWER_LEFT: RectNorm = [0, 0.4, 0.6, 1];
const LOWER_RIGHT: RectNorm = [0.4, 0.4, 1, 1];

const merge = (crops: [RectNorm, Detection[]][]) =>
  mergeCropDetections(
    crops.map(([crop, detections]) => ({ crop, detections })),
    { nmsIou: 0.45 },
  );

describe('mapToFrame', () => {
  it.each<[RectNorm, B, B]>([
    [
      [0, 0, 1, 1],
      [0.1, 0.2, 0.3, 0.4],
      [0.1, 0.2, 0.3, 0.4],
    ],
    [
      [0.5, 0.5, 1, 1],
      [0, 0, 1, 1],
      [0.5, 0.5, 1, 1],
    ],
    [
      [0.2, 0.4, 0.6, 0.8],
      [0.5, 0.5, 1, 1],
      [0.4, 0.6, 0.6, 0.8],
    ],
  ])('crop %j box %j', (crop, box, expected) => {
    const m = mapToFrame(det('car', 0.9, box), crop).boxXyxyNorm;
    m.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 9);
    });
  });
});

describe('cutEdges', () => {
  it.each<[string, RectNorm, B, boolean[]]>([
    ['inside: not cut', LEFT, [0.1, 0.1, 0.3, 0.3], [false, false, false, false]],
    ['on the right border inside the frame', LEFT, [0.5, 0.1, 0.6, 0.3], [false, false, true, false]],
    ['on the frame edge: never cut', LEFT, [0, 0, 0.2, 0.2], [false, false, false, false]],
    ['on the frame bottom edge: never cut', LOWER_LEFT, [0.1, 0.8, 0.3, 1], [false, false, false, false]],
    ['on the left and bottom borders', RIGHT, [0.4, 0.4, 0.5, 0.6], [true, false, false, true]],
  ])('%s', (_n, crop, box, expected) => {
    expect(cutEdges(box, crop, 0.01)).toEqual(expected);
  });
});

describe('mergeCropDetections', () => {
  it('empty crops give nothing', () => {
    expect(merge([])).toEqual([]);
    expect(merge([[LEFT, []]])).toEqual([]);
  });

  it('keeps separate objects of separate crops', () => {
    const out = merge([
      [LEFT, [det('car', 0.9, [0.1, 0.1, 0.2, 0.2])]],
      [RIGHT, [det('car', 0.8, [0.8, 0.1, 0.9, 0.2])]],
    ]);
    expect(out).toHaveLength(2);
  });

  it('one object in the overlap seen whole by both crops is one box, the better one', () => {
    const out = merge([
      [LEFT, [det('motorcycle', 0.6, [0.45, 0.1, 0.5, 0.2])]],
      [RIGHT, [det('motorcycle', 0.7, [0.451, 0.101, 0.501, 0.2])]],
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.score).toBe(0.7);
    expect(out[0]!.boxXyxyNorm).toEqual([0.451, 0.101, 0.501, 0.2]);
  });

  it('a car cut by the border is joined with its other part into the whole car', () => {
    // The car spans x 0.3..0.7: the left tile sees 0.3..0.6 (cut), the right tile 0.4..0.7 (cut).
    const out = merge([
      [LEFT, [det('car', 0.8, [0.3, 0.2, 0.6, 0.4])]],
      [RIGHT, [det('car', 0.7, [0.4, 0.21, 0.7, 0.4])]],
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.boxXyxyNorm).toEqual([0.3, 0.2, 0.7, 0.4]);
  });

  it('a cut part inside the whole box of the neighbour takes the whole box', () => {
    const out = merge([
      [LEFT, [det('car', 0.5, [0.5, 0.2, 0.6, 0.4])]], // the left tile sees only the car's left end
      [RIGHT, [det('car', 0.9, [0.5, 0.2, 0.8, 0.4])]],
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.boxXyxyNorm).toEqual([0.5, 0.2, 0.8, 0.4]);
    expect(out[0]!.score).toBe(0.9);
  });

  it('a car cut at the bottom border near the frame edge joins with the lower tile (the red_light lesson)', () => {
    const out = merge([
      [LEFT, [det('car', 0.8, [0.1, 0.45, 0.3, 0.6])]],
      [LOWER_LEFT, [det('car', 0.75, [0.1, 0.45, 0.3, 1])]],
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.boxXyxyNorm).toEqual([0.1, 0.45, 0.3, 1]);
  });

  it('four parts of one bus over a corner of four tiles are one box', () => {
    const bus: B = [0.3, 0.3, 0.7, 0.7];
    const clip = (c: RectNorm): B => [
      Math.max(bus[0], c[0]),
      Math.max(bus[1], c[1]),
      Math.min(bus[2], c[2]),
      Math.min(bus[3], c[3]),
    ];
    const out = merge(
      [LEFT, RIGHT, LOWER_LEFT, LOWER_RIGHT].map((c, i) => [c, [det('truck', 0.9 - i * 0.1, clip(c))]]),
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.boxXyxyNorm).toEqual(bus);
  });

  it('two riders side by side at the border are not joined', () => {
    // Each tile sees both riders whole (they are smaller than the overlap): NMS pairs each with itself.
    const a: B = [0.42, 0.2, 0.48, 0.35];
    const b: B = [0.52, 0.2, 0.58, 0.35];
    const out = merge([
      [LEFT, [det('motorcycle', 0.8, a), det('motorcycle', 0.7, b)]],
      [RIGHT, [det('motorcycle', 0.75, a), det('motorcycle', 0.72, b)]],
    ]);
    expect(out).toHaveLength(2);
  });

  it('different classes are not joined at a border, but the same box as car and truck is one object', () => {
    const joined = merge([
      [LEFT, [det('person', 0.8, [0.5, 0.2, 0.6, 0.4])]],
      [RIGHT, [det('motorcycle', 0.7, [0.45, 0.3, 0.7, 0.45])]],
    ]);
    expect(joined).toHaveLength(2);
    const same = merge([
      [LEFT, [det('car', 0.8, [0.42, 0.2, 0.58, 0.4])]],
      [RIGHT, [det('truck', 0.6, [0.421, 0.2, 0.58, 0.4])]],
    ]);
    expect(same).toHaveLength(1);
    expect(same[0]!.label).toBe('car');
  });

  it('boxes of the same crop stay two objects unless the detector would have suppressed them', () => {
    const out = merge([
      [
        LEFT,
        [
          det('car', 0.8, [0.1, 0.1, 0.3, 0.3]),
          det('car', 0.7, [0.2, 0.1, 0.4, 0.3]), // IoU 0.33: below nmsIou, a neighbour
          det('truck', 0.6, [0.1, 0.1, 0.3, 0.3]), // the same box as another class: the detector keeps both
        ],
      ],
    ]);
    expect(out).toHaveLength(3);
  });
});
