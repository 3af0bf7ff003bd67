// The per-track vote over plate reads of several frames: cluster by string similarity, agreement is the confidence (pure).

import type { PlateColour } from './plate-colour.ts';
import { compactPlate, type PlateKind } from './plate-grammar.ts';

export interface PlateRead {
  /** Grammar-normalised plate, or undefined when a plate-like candidate was found but did not parse. */
  text?: string;
  kind?: PlateKind;
  /** Mean character probability of the recognition (0..1). */
  confidence: number;
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
}

export interface VoteOptions {
  /** Reads within this edit distance (on the compact form) are one cluster: one misread character apart. */
  maxEditDistance: number;
  /** At least this many exact reads of the winner (one frame is never enough). */
  minAgreeingReads: number;
  /** Below this confidence the verdict is unreadable (default 0.5: more than half the reads agree). */
  readableConfidence: number;
}

export const DEFAULT_VOTE_OPTIONS: VoteOptions = {
  maxEditDistance: 1,
  minAgreeingReads: 2,
  readableConfidence: 0.5,
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
 * Frigate's LPR also clusters reads by similarity before it trusts one; here the cluster with the most
 * recognition weight wins, its most-weighted exact string is the plate, and the confidence is the share of the
 * parsed reads that agree with it exactly, times their recognition confidence. A frame whose text failed the
 * grammar (a smeared P-frame, a wheel in front) says nothing about which plate it is, so it does not vote; it
 * is still counted in `reads`.
 */
export function votePlate(reads: readonly PlateRead[], o: VoteOptions = DEFAULT_VOTE_OPTIONS): PlateVerdict {
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
  const confidence = (winner.n / parsed.length) * (winner.weight / winner.n);
  if (winner.n < o.minAgreeingReads || confidence < o.readableConfidence) {
    return { ...unreadable(colour), confidence: round3(confidence), agreeing: winner.n };
  }
  return {
    text: winner.read.text,
    ...(winner.read.kind ? { kind: winner.read.kind } : {}),
    confidence: round3(confidence),
    colour,
    reads: reads.length,
    agreeing: winner.n,
  };
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
