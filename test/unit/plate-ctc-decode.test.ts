// Greedy CTC decoding restricted to the plate alphabet: collapse, blanks, masking of other characters, confidence.
import { describe, expect, it } from 'vitest';
import { CtcAlphabet } from '../../edge/plate/ctc-decode.ts';

// Key file order: class 0 blank, classes 1..5 = these keys, class 6 = space.
const KEYS = ['3', '0', 'E', '中', '-'];
const alphabet = new CtcAlphabet(KEYS, '30E-');
const C = KEYS.length + 2;

/** One row per step: the given class gets p, the blank the rest. */
function probs(steps: [number, number][]): Float32Array {
  const out = new Float32Array(steps.length * C);
  steps.forEach(([cls, p], t) => {
    out[t * C + cls] = p;
    if (cls !== 0) out[t * C] = 1 - p;
  });
  return out;
}

describe('CtcAlphabet.decode', () => {
  it.each([
    {
      name: 'nothing but blanks',
      steps: [
        [0, 1],
        [0, 1],
      ] as [number, number][],
      text: '',
      conf: 0,
    },
    { name: 'no steps', steps: [] as [number, number][], text: '', conf: 0 },
    {
      name: 'repeats collapse',
      steps: [
        [1, 0.9],
        [1, 0.9],
        [2, 0.9],
      ] as [number, number][],
      text: '30',
      conf: 0.9,
    },
    {
      name: 'a blank separates a doubled character; the confidence is the weakest character, not the mean',
      steps: [
        [2, 0.8],
        [0, 1],
        [2, 0.6],
      ] as [number, number][],
      text: '00',
      conf: 0.6,
    },
    {
      name: 'a character spread over steps keeps its best step',
      steps: [
        [1, 0.6],
        [1, 0.95],
        [0, 1],
        [3, 0.9],
      ] as [number, number][],
      text: '3E',
      conf: 0.9,
    },
    {
      name: 'a masked character (中) never wins over the blank',
      steps: [[4, 0.9]] as [number, number][],
      text: '',
      conf: 0,
    },
  ])('$name', ({ steps, text, conf }) => {
    const r = alphabet.decode(probs(steps), steps.length);
    expect(r.text).toBe(text);
    expect(r.confidence).toBeCloseTo(conf, 5);
  });

  it('keeps the rival characters of each emitted one, most probable first, and only plate characters', () => {
    // step 0: '3' 0.55, '0' 0.3, '中' 0.1; step 1: blank; step 2: 'E' 0.7, '-' 0.2, '3' 0.05
    const p = new Float32Array(3 * C);
    p[1] = 0.55;
    p[2] = 0.3;
    p[4] = 0.1;
    p[C] = 1;
    p[2 * C + 3] = 0.7;
    p[2 * C + 5] = 0.2;
    p[2 * C + 1] = 0.05;
    const r = alphabet.decode(p, 3);
    expect(r.text).toBe('3E');
    expect(r.chars.map((c) => c.char)).toEqual(['3', 'E']);
    expect(r.chars[0]!.alts[0]).toEqual({ char: '0', p: expect.closeTo(0.3, 5) });
    expect(r.chars[0]!.alts.map((a) => a.char)).not.toContain('中');
    expect(r.chars[1]!.alts.slice(0, 2).map((a) => a.char)).toEqual(['-', '3']);
    expect(r.chars[1]!.alts[0]!.p).toBeCloseTo(0.2, 5);
    expect(r.confidence).toBeCloseTo(0.55, 5);
  });

  it('a rival seen on any step of a character counts at its highest', () => {
    // '0' emitted over two steps; '3' rises to 0.4 on the second
    const p = new Float32Array(2 * C);
    p[2] = 0.9;
    p[1] = 0.05;
    p[C + 2] = 0.5;
    p[C + 1] = 0.4;
    const r = alphabet.decode(p, 2);
    expect(r.text).toBe('0');
    expect(r.chars[0]!.p).toBeCloseTo(0.9, 5);
    expect(r.chars[0]!.alts[0]).toEqual({ char: '3', p: expect.closeTo(0.4, 5) });
  });

  it('counts classes as blank + keys + space', () => {
    expect(alphabet.classCount).toBe(7);
  });

  it('refuses an alphabet the key file cannot spell', () => {
    expect(() => new CtcAlphabet(KEYS, '30EX')).toThrow(/lacks X/);
  });
});
