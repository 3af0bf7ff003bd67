// The per-track vote over plate reads of several frames: cluster by string similarity, agreement is the confidence (pure).

import type { PlateColour } from './plate-colour.ts';
import { compactPlate, type PlateKind } from './plate-grammar.ts';

/** One character of a parsed read (in the order of its compact form) with what else the recogniser weighed there. */
export interface PlateChar {
  /** The character after the grammar (compact form: Đ as D). */
  char: string;
  p: number;
  alts: readonly { char: string; p: number }[];
}

export interface PlateRead {
  /** Grammar-normalised plate, or undefined when a plate-like candidate was found but did not parse. */
  text?: string;
  kind?: PlateKind;
  /**
   * Calibrated confidence of the frame's read (0..1): at its least settled place, the character's probability
   * minus its strongest admissible rival's (plate-reader marginConfidence).
   */
  confidence: number;
  /** Per character of compactPlate(text), when the recogniser gave them: the vote weighs each place by them. */
  chars?: readonly PlateChar[];
  colour: PlateColour;
  tsMs: number;
}

export interface PlateVerdict {
  /** The plate, or undefined: "unreadable" (no reads, no agreement, or below the readable confidence). */
  text?: string;
  kind?: PlateKind;
  /** Agreeing reads / parsed reads, times their mean recognition confidence (0..1). */
  confidence: number;
  colour: PlateColour;
  /** Frames a plate candidate was read on (parsed or not). */
  reads: number;
  /** Reads exactly equal to the winner. */
  agreeing: number;
  /** Why a plate that had agreeing reads is still unreadable (the place whose characters the reads dispute). */
  refused?: string;
}

export interface VoteOptions {
  /** Reads within this edit distance (on the compact form) are one cluster: one misread character apart. */
  maxEditDistance: number;
  /** At least this many exact reads of the winner (one frame is never enough). */
  minAgreeingReads: number;
  /** Below this confidence the verdict is unreadable (default 0.5). */
  readableConfidence: number;
  /**
   * At any one place, the strongest other character may hold at most this share of the probability the reads
   * put there (default 1/3: the rival has less than half the winner's weight). Reads that agree on the string
   * can still split a place (a 6 read as 8 in two frames of six, each with the other as runner-up); then the
   * pixels do not settle it, and the plate is refused rather than guessed. Lower refuses more plates.
   */
  maxRunnerUpShare: number;
}

export const DEFAULT_VOTE_OPTIONS: VoteOptions = {
  maxEditDistance: 1,
  minAgreeingReads: 2,
  readableConfidence: 0.5,
  maxRunnerUpShare: 1 / 3,
};

/** Levenshtein distance (insert, delete, substitute, each 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Frigate's LPR also clusters reads by similarity before it trusts one; here reads weigh what their weakest
 * character is worth (the calibrated frame confidence). The cluster with the most weight wins, its most-weighted
 * exact string is the plate, and the verdict's confidence is the winner's share of the parsed weight times the
 * winner's mean frame confidence: eight reads at 0.3 do not make a plate, nor do two sure reads among four other
 * sure ones. Then every place of the winner is checked across the reads of its length (runnerUpAt), and a place
 * the reads dispute refuses the plate. A frame whose text failed the grammar (a smeared P-frame, a wheel in
 * front) says nothing about which plate it is, so it does not vote; it is still counted in `reads`.
 */
export function votePlate(reads: readonly PlateRead[], options: Partial<VoteOptions> = {}): PlateVerdict {
  const o = { ...DEFAULT_VOTE_OPTIONS, ...options };
  const unreadable = (colour: PlateColour = 'unknown'): PlateVerdict => ({
    confidence: 0,
    colour,
    reads: reads.length,
    agreeing: 0,
  });
  const parsed = reads.filter((r): r is PlateRead & { text: string } => r.text !== undefined);
  if (parsed.length === 0) return unreadable(majorityColour(reads));
  const clusters: { members: (PlateRead & { text: string })[]; weight: number }[] = [];
  for (const r of parsed) {
    const key = compactPlate(r.text);
    const home = clusters.find((c) =>
      c.members.some((m) => editDistance(compactPlate(m.text), key) <= o.maxEditDistance),
    );
    if (home) {
      home.members.push(r);
      home.weight += r.confidence;
    } else clusters.push({ members: [r], weight: r.confidence });
  }
  clusters.sort((a, b) => b.weight - a.weight);
  const top = clusters[0]!;
  const byText = new Map<string, { n: number; weight: number; read: PlateRead & { text: string } }>();
  for (const m of top.members) {
    const e = byText.get(m.text) ?? { n: 0, weight: 0, read: m };
    e.n++;
    e.weight += m.confidence;
    byText.set(m.text, e);
  }
  const winner = [...byText.values()].sort((a, b) => b.weight - a.weight || b.n - a.n)[0]!;
  const colour = majorityColour(top.members);
  const parsedWeight = parsed.reduce((a, r) => a + r.confidence, 0);
  const share = parsedWeight > 0 ? winner.weight / parsedWeight : 0;
  const confidence = round3(share * (winner.weight / winner.n));
  const refused = runnerUpAt(compactPlate(winner.read.text), top.members, o.maxRunnerUpShare);
  if (winner.n < o.minAgreeingReads || confidence < o.readableConfidence || refused) {
    return {
      ...unreadable(colour),
      confidence,
      agreeing: winner.n,
      ...(refused && winner.n >= o.minAgreeingReads ? { refused } : {}),
    };
  }
  return {
    text: winner.read.text,
    ...(winner.read.kind ? { kind: winner.read.kind } : {}),
    confidence,
    colour,
    reads: reads.length,
    agreeing: winner.n,
  };
}

/**
 * The first place of `compact` whose strongest other character holds more than maxShare of the probability
 * the reads of the same length put there (each read gives its character's p and its alternatives' p), as a
 * sentence; undefined when every place is settled. Reads without per-character detail count with their emitted
 * characters at their frame confidence.
 */
export function runnerUpAt(
  compact: string,
  reads: readonly PlateRead[],
  maxShare: number,
): string | undefined {
  const aligned = reads.filter((r) => r.text !== undefined && compactPlate(r.text).length === compact.length);
  for (let i = 0; i < compact.length; i++) {
    const mass = new Map<string, number>();
    const add = (c: string, p: number) => mass.set(c, (mass.get(c) ?? 0) + p);
    for (const r of aligned) {
      const ch = r.chars?.[i];
      if (!ch) {
        add(compactPlate(r.text!)[i]!, r.confidence);
        continue;
      }
      add(ch.char, ch.p);
      for (const a of ch.alts) if (a.char !== ch.char) add(a.char, a.p);
    }
    const own = mass.get(compact[i]!) ?? 0;
    let other = 0;
    let otherChar = '';
    for (const [c, m] of mass)
      if (c !== compact[i] && m > other) {
        other = m;
        otherChar = c;
      }
    if (own + other > 0 && other / (own + other) > maxShare)
      return `place ${i + 1} of ${compact}: ${compact[i]} or ${otherChar} (${Math.round((100 * other) / (own + other))}% for ${otherChar})`;
  }
  return undefined;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

function majorityColour(reads: readonly PlateRead[]): PlateColour {
  const n = new Map<PlateColour, number>();
  for (const r of reads) if (r.colour !== 'unknown') n.set(r.colour, (n.get(r.colour) ?? 0) + 1);
  let best: PlateColour = 'unknown';
  let bestN = 0;
  for (const [c, k] of n)
    if (k > bestN) {
      best = c;
      bestN = k;
    }
  return best;
}
