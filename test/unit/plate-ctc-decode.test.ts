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
      name: 'a blank separates a doubled character',
      steps: [
        [2, 0.8],
        [0, 1],
        [2, 0.6],
      ] as [number, number][],
      text: '00',
      conf: 0.7,
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

  it('counts classes as blank + keys + space', () => {
    expect(alphabet.classCount).toBe(7);
  });

  it('refuses an alphabet the key file cannot spell', () => {
    expect(() => new CtcAlphabet(KEYS, '30EX')).toThrow(/lacks X/);
  });
});
