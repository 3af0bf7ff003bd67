// Greedy CTC decoding of PP-OCR rec's per-timestep probabilities, restricted to the characters a plate can hold (pure).

export interface CtcResult {
  text: string;
  /** Mean probability of the emitted characters (0 when nothing was emitted). */
  confidence: number;
  /** Probability of each emitted character, in order. */
  charConfidences: number[];
}

/**
 * The PaddleOCR character list (ppocr_keys_v1.txt) with its CTC layout: class 0 is the blank, class i is line i-1
 * of the key file, and the last class is the space (use_space_char). Only `allowed` characters may be emitted;
 * the others are masked, so a Chinese look-alike never wins, and their probability mass lowers the confidence.
 */
export class CtcAlphabet {
  /** Class indices that may be emitted, and their characters. */
  readonly classes: Int32Array;
  readonly chars: string[];
  readonly classCount: number;

  constructor(keys: readonly string[], allowed: string) {
    this.classCount = keys.length + 2;
    const classes: number[] = [];
    const chars: string[] = [];
    keys.forEach((k, i) => {
      if (k.length === 1 && allowed.includes(k) && !chars.includes(k)) {
        classes.push(i + 1);
        chars.push(k);
      }
    });
    const missing = [...allowed].filter((c) => !chars.includes(c));
    if (missing.length > 0) throw new Error(`character list lacks ${missing.join('')}`);
    this.classes = Int32Array.from(classes);
    this.chars = chars;
  }

  /** probs is [steps, classCount] row-major (one rec output row). */
  decode(probs: Float32Array, steps: number, offset = 0): CtcResult {
    const c = this.classCount;
    let text = '';
    const charConfidences: number[] = [];
    let prev = -1;
    for (let t = 0; t < steps; t++) {
      const row = offset + t * c;
      let best = -1;
      let bestP = probs[row]!; // blank
      for (let k = 0; k < this.classes.length; k++) {
        const p = probs[row + this.classes[k]!]!;
        if (p > bestP) {
          bestP = p;
          best = k;
        }
      }
      // CTC: repeated symbols collapse unless a blank separates them.
      if (best >= 0 && best !== prev) {
        text += this.chars[best];
        charConfidences.push(bestP);
      }
      prev = best;
    }
    const confidence =
      charConfidences.length > 0 ? charConfidences.reduce((a, b) => a + b, 0) / charConfidences.length : 0;
    return { text, confidence, charConfidences };
  }
}
