// Greedy CTC decoding of PP-OCR rec's per-timestep probabilities, restricted to the characters a plate can hold (pure).

/** One emitted character with the other plate characters the network weighed at the same place. */
export interface CtcChar {
  char: string;
  /** Its highest probability over the timesteps it was emitted from. */
  p: number;
  /** The best other plate characters at those timesteps (each at its highest probability), most probable first. */
  alts: { char: string; p: number }[];
}

export interface CtcResult {
  text: string;
  /**
   * The least probable emitted character's probability (0 when nothing was emitted): a plate is only as sure as
   * its weakest character, and a mean of ten near-certain characters and one coin toss still reads 0.95.
   */
  confidence: number;
  /** Probability of each emitted character, in order. */
  charConfidences: number[];
  chars: CtcChar[];
}

/** Alternatives kept per character (the runner-up decides refusals; two more for logs and the grammar). */
const ALTS_KEPT = 3;

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
    const n = this.classes.length;
    const out: CtcChar[] = [];
    /** Per allowed class, its highest probability over the current character's steps. */
    const spanMax = new Float64Array(n);
    let prev = -1;
    const close = () => {
      const cur = out.at(-1);
      if (!cur || prev < 0) return;
      const alts: { char: string; p: number }[] = [];
      for (let k = 0; k < n; k++) if (k !== prev) alts.push({ char: this.chars[k]!, p: spanMax[k]! });
      alts.sort((a, b) => b.p - a.p);
      cur.alts = alts.slice(0, ALTS_KEPT);
    };
    for (let t = 0; t < steps; t++) {
      const row = offset + t * c;
      let best = -1;
      let bestP = probs[row]!; // blank
      for (let k = 0; k < n; k++) {
        const p = probs[row + this.classes[k]!]!;
        if (p > bestP) {
          bestP = p;
          best = k;
        }
      }
      // CTC: repeated symbols collapse unless a blank separates them.
      if (best >= 0 && best !== prev) {
        close();
        spanMax.fill(0);
        out.push({ char: this.chars[best]!, p: bestP, alts: [] });
      }
      if (best >= 0) {
        const cur = out.at(-1)!;
        if (bestP > cur.p) cur.p = bestP;
        for (let k = 0; k < n; k++) {
          const p = probs[row + this.classes[k]!]!;
          if (p > spanMax[k]!) spanMax[k] = p;
        }
      } else close();
      if (best < 0 && prev >= 0) spanMax.fill(0);
      prev = best;
    }
    close();
    const charConfidences = out.map((ch) => ch.p);
    const confidence = charConfidences.length > 0 ? Math.min(...charConfidences) : 0;
    return { text: out.map((ch) => ch.char).join(''), confidence, charConfidences, chars: out };
  }
}
