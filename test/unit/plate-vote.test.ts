// The per-track plate vote: clustering by edit distance, agreement as confidence, unreadable when reads disagree.
import { describe, expect, it } from 'vitest';
import type { CtcChar } from '../../edge/plate/ctc-decode.ts';
import type { PlateColour } from '../../edge/plate/plate-colour.ts';
import { compactPlate } from '../../edge/plate/plate-grammar.ts';
import { alignChars, marginConfidence } from '../../edge/plate/plate-reader.ts';
import {
  editDistance,
  type PlateChar,
  type PlateRead,
  runnerUpAt,
  votePlate,
} from '../../edge/plate/plate-vote.ts';

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

  it('confidence is the winner share of the parsed weight times its mean frame confidence', () => {
    const v = votePlate([
      read('30E-586.70', 0.9),
      read('30E-586.70', 0.8),
      read('30E-586.70', 0.85),
      read('30E-586.10', 0.9),
      read(undefined),
    ]);
    expect(v.text).toBe('30E-586.70');
    // weight 2.55 of 3.45 parsed, mean 0.85; the unparsed read does not vote.
    expect(v.confidence).toBeCloseTo((2.55 / 3.45) * 0.85, 2);
  });

  it('reads weigh their frame confidence: many weak reads lose to fewer sure ones', () => {
    const v = votePlate([
      read('30E-509.57', 0.2),
      read('30E-509.57', 0.2),
      read('30E-509.57', 0.2),
      read('51G-123.45', 0.9),
      read('51G-123.45', 0.9),
    ]);
    expect(v.text).toBe('51G-123.45');
    expect(v.agreeing).toBe(2);
  });

  it('agreeing weak reads stay unreadable (agreement is not certainty)', () => {
    const v = votePlate(Array.from({ length: 8 }, () => read('30E-586.70', 0.3)));
    expect(v.text).toBeUndefined();
    expect(v.agreeing).toBe(8);
    expect(v.confidence).toBeCloseTo(0.3, 3);
  });
});

/** A read with per-character detail: `alts[i]` is the rival at place i of the compact form (char, p). */
const charRead = (text: string, p: number, alts: Record<number, [string, number]> = {}): PlateRead => {
  const compact = compactPlate(text);
  const chars: PlateChar[] = [...compact].map((c, i) => ({
    char: c,
    p,
    alts: alts[i] ? [{ char: alts[i][0], p: alts[i][1] }] : [],
  }));
  return { text, confidence: p, colour: 'white', tsMs: 0, chars };
};

describe('votePlate refuses a place the reads dispute (runnerUpAt)', () => {
  it.each([
    {
      name: 'every read sure at every place: the plate',
      reads: [charRead('30E-586.70', 0.95), charRead('30E-586.70', 0.95), charRead('30E-586.70', 0.9)],
      text: '30E-586.70',
      refused: undefined,
    },
    {
      name: 'a rival with a tenth of the weight in every frame does not refuse (it cannot be told from noise)',
      reads: [
        charRead('30E-509.57', 0.87, { 3: ['6', 0.1] }),
        charRead('30E-509.57', 0.9, { 3: ['6', 0.09] }),
      ],
      text: '30E-509.57',
      refused: undefined,
    },
    {
      name: 'a 6 that is close behind the 5 in every frame refuses the plate',
      reads: [
        charRead('30E-509.57', 0.55, { 3: ['6', 0.4] }),
        charRead('30E-509.57', 0.6, { 3: ['6', 0.35] }),
        charRead('30E-509.57', 0.58, { 3: ['6', 0.38] }),
      ],
      text: undefined,
      refused: /place 4 of 30E50957: 5 or 6/,
    },
    {
      name: 'two frames read 8 where four read 6 (with 8 behind): the 8 keeps over a third at place 6, refused',
      reads: [
        charRead('30E-586.70', 0.9, { 5: ['8', 0.1] }),
        charRead('30E-586.70', 0.9, { 5: ['8', 0.1] }),
        charRead('30E-586.70', 0.9, { 5: ['8', 0.1] }),
        charRead('30E-586.70', 0.9, { 5: ['8', 0.1] }),
        charRead('30E-588.70', 0.9, { 5: ['6', 0.05] }),
        charRead('30E-588.70', 0.9, { 5: ['6', 0.05] }),
      ],
      text: undefined,
      refused: /place 6 of 30E58670: 6 or 8/,
    },
    {
      name: 'reads of another length (a lost digit) do not vote at the places',
      reads: [charRead('30E-586.70', 0.9), charRead('30E-586.70', 0.9), charRead('30E-5867', 0.9)],
      text: '30E-586.70',
      refused: undefined,
    },
  ])('$name', ({ reads, text, refused }) => {
    const v = votePlate(reads);
    expect(v.text).toBe(text);
    if (refused) expect(v.refused).toMatch(refused);
    else expect(v.refused).toBeUndefined();
  });

  it('runnerUpAt on no reads and on reads without per-character detail', () => {
    expect(runnerUpAt('30E58670', [], 1 / 3)).toBeUndefined();
    // without detail each read counts its emitted characters at its confidence: 1 of 2 is a coin toss
    expect(runnerUpAt('30E58670', [read('30E-586.70', 0.9), read('30E-586.10', 0.9)], 1 / 3)).toMatch(
      /place 7/,
    );
  });
});

describe('alignChars and marginConfidence (the frame confidence)', () => {
  const ctc = (text: string, p = 0.9, alts: Record<number, { char: string; p: number }[]> = {}): CtcChar[] =>
    [...text].map((char, i) => ({ char, p, alts: alts[i] ?? [] }));

  it.each([
    {
      name: 'separators are dropped and the rest aligns one to one',
      compact: '30E58670',
      raw: ctc('30E-586.70'),
      chars: '30E58670',
    },
    { name: 'a count mismatch aligns nothing', compact: '30E58670', raw: ctc('30E-5867'), chars: undefined },
    {
      name: 'a fixed-up character takes the place of the look-alike (O read, 0 meant)',
      compact: '30E58670',
      raw: ctc('3OE58670'),
      chars: '30E58670',
    },
  ])('$name', ({ compact, raw, chars }) => {
    expect(
      alignChars(compact, raw)
        ?.map((c) => c.char)
        .join(''),
    ).toBe(chars);
  });

  it('only rivals the place admits count, through the look-alike map', () => {
    const raw = ctc('30E58670', 0.9, {
      0: [{ char: 'B', p: 0.5 }], // a letter at a digit place: no rival
      1: [{ char: 'O', p: 0.3 }], // O at a digit place is the same 0: no rival
      2: [{ char: '8', p: 0.4 }], // a digit at the series place: no rival
      3: [{ char: '6', p: 0.2 }], // another digit: a rival
      4: [{ char: 'I', p: 0.25 }], // I at a digit place is 1: a rival of 8
    });
    const chars = alignChars('30E58670', raw)!;
    expect(chars.map((c) => c.alts.map((a) => `${a.char}${a.p}`).join(','))).toEqual([
      '',
      '',
      '',
      '60.2',
      '10.25',
      '',
      '',
      '',
    ]);
    expect(marginConfidence(chars)).toBeCloseTo(0.9 - 0.25, 5);
  });

  it.each([
    { name: 'no rivals: the weakest probability', chars: [pc('3', 0.9), pc('0', 0.7)], margin: 0.7 },
    { name: 'a close rival settles little', chars: [pc('5', 0.55, '6', 0.4), pc('0', 0.99)], margin: 0.15 },
    { name: 'nothing read', chars: [], margin: 1 },
  ])('marginConfidence: $name', ({ chars, margin }) => {
    expect(marginConfidence(chars)).toBeCloseTo(margin, 5);
  });
});

function pc(char: string, p: number, alt?: string, altP = 0): PlateChar {
  return { char, p, alts: alt ? [{ char: alt, p: altP }] : [] };
}

describe('votePlate colour', () => {
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
