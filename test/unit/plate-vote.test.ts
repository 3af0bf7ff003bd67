// The per-track plate vote: clustering by edit distance, agreement as confidence, unreadable when reads disagree.
import { describe, expect, it } from 'vitest';
import type { PlateColour } from '../../edge/plate/plate-colour.ts';
import { editDistance, type PlateRead, votePlate } from '../../edge/plate/plate-vote.ts';

const read = (text: string | undefined, confidence = 0.95, colour: PlateColour = 'white'): PlateRead => ({
  ...(text ? { text } : {}),
  confidence,
  colour,
  tsMs: 0,
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['30E58670', '30E58670', 0],
    ['30E58670', '30E58610', 1],
    ['30E58670', '30E5867', 1],
    ['30E58670', '30F58610', 2],
  ])('%j vs %j = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('votePlate', () => {
  it.each([
    {
      name: 'no reads at all',
      reads: [],
      text: undefined,
      reads_: 0,
      agreeing: 0,
    },
    {
      name: 'one read is never enough',
      reads: [read('30E-586.70')],
      text: undefined,
      reads_: 1,
      agreeing: 1,
    },
    {
      name: 'two agreeing reads',
      reads: [read('30E-586.70'), read('30E-586.70')],
      text: '30E-586.70',
      reads_: 2,
      agreeing: 2,
    },
    {
      name: 'a one-character misread joins the cluster but the exact majority wins',
      reads: [read('30E-586.70'), read('30E-586.10'), read('30E-586.70'), read('30E-586.70')],
      text: '30E-586.70',
      reads_: 4,
      agreeing: 3,
    },
    {
      name: 'unparsed frames (blur, occlusion) do not vote: 2 agreeing of 2 parsed among 5',
      reads: [read('30E-586.70'), read('30E-586.70'), read(undefined), read(undefined), read(undefined)],
      text: '30E-586.70',
      reads_: 5,
      agreeing: 2,
    },
    {
      name: 'two agreeing reads against two others of another plate: unreadable',
      reads: [read('30E-586.70'), read('30E-586.70'), read('30E-586.10'), read('30E-586.10')],
      text: undefined,
      reads_: 4,
      agreeing: 2,
    },
    {
      name: 'two different plates split evenly: unreadable',
      reads: [read('30E-586.70'), read('30E-586.70'), read('51G-123.45'), read('51G-123.45')],
      text: undefined,
      reads_: 4,
      agreeing: 2,
    },
    {
      name: 'only unparsed reads',
      reads: [read(undefined), read(undefined)],
      text: undefined,
      reads_: 2,
      agreeing: 0,
    },
    {
      name: 'low recognition confidence drags agreement under readable',
      reads: [read('30E-586.70', 0.4), read('30E-586.70', 0.4), read('30E-586.70', 0.4)],
      text: undefined,
      reads_: 3,
      agreeing: 3,
    },
  ])('$name', ({ reads, text, reads_, agreeing }) => {
    const v = votePlate(reads);
    expect(v.text).toBe(text);
    expect(v.reads).toBe(reads_);
    expect(v.agreeing).toBe(agreeing);
    expect(v.confidence).toBeGreaterThanOrEqual(0);
    expect(v.confidence).toBeLessThanOrEqual(1);
    if (text) expect(v.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it('confidence is agreement among parsed reads times their mean recognition confidence', () => {
    const v = votePlate([
      read('30E-586.70', 0.9),
      read('30E-586.70', 0.8),
      read('30E-586.70', 0.85),
      read('30E-586.10', 0.9),
      read(undefined),
    ]);
    expect(v.text).toBe('30E-586.70');
    // 3 of the 4 parsed reads agree exactly; the unparsed read does not vote.
    expect(v.confidence).toBeCloseTo((3 / 4) * 0.85, 2);
  });

  it('colour is the majority of the winning cluster, ignoring unknown', () => {
    const v = votePlate([
      read('51G-123.45', 0.9, 'yellow'),
      read('51G-123.45', 0.9, 'unknown'),
      read('51G-123.45', 0.9, 'yellow'),
      read('51G-123.45', 0.9, 'white'),
    ]);
    expect(v.colour).toBe('yellow');
  });

  it('an unreadable verdict still reports the colour it saw', () => {
    expect(votePlate([read(undefined, 0.5, 'blue')]).colour).toBe('blue');
  });
});
