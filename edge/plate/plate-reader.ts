// Reads the plate of one vehicle on one full-resolution frame: det lines -> candidates -> rec -> grammar -> colour.

import type { CtcChar } from './ctc-decode.ts';
import {
  type CandidateOptions,
  DEFAULT_CANDIDATE_OPTIONS,
  type PlateCandidate,
  plateCandidates,
  type Xyxy,
} from './plate-candidates.ts';
import { plateColour } from './plate-colour.ts';
import { parsePlate, SERIES_LETTERS } from './plate-grammar.ts';
import type { PlateOcr } from './plate-ocr.ts';
import type { PlateChar, PlateRead } from './plate-vote.ts';
import type { RawImage } from './raw-image.ts';

/** The part of the vehicle box searched for text: the plate is never in the top third (roof, rider's head). */
const SEARCH_TOP = 0.3;
/** Margin around the vehicle box (fraction of its size): a tight box can clip a plate at its edge. */
const SEARCH_MARGIN = 0.05;
/**
 * Text detection sizes tried in turn (times plates.detLongSidePx) until a candidate parses: a 35 px plate is
 * enlarged ~2x at the first and its lines can merge or vanish; the second enlarges once more (~2x the CPU)
 * and runs only then.
 */
const DET_SCALES = [1, 1.6] as const;
/** Each line box is widened by this much of its height on both sides: det clips a plate's first and last glyph. */
const LINE_PAD_X = 0.15;

export interface FrameRead extends PlateRead {
  /** The plate's box in frame pixels (the crop kept as evidence). */
  plateBoxXyxyPx: Xyxy;
  /** The recognised lines as read, before the grammar (for logs and the labelled-set report). */
  raw: string[];
  /** Each line's characters with their probabilities and runner-ups (CTC), as recognised. */
  lineChars: CtcChar[][];
}

/**
 * A parsed read is as sure as its least settled place: the character's probability minus its strongest rival's
 * that the place admits (a 5 at 0.55 with a 6 at 0.4 is worth 0.15, whatever the other nine characters say).
 */
export function marginConfidence(chars: readonly PlateChar[]): number {
  let min = 1;
  for (const c of chars) min = Math.min(min, c.p - (c.alts[0]?.p ?? 0));
  return Math.max(0, min);
}

/** Look-alikes the grammar resolves by the place: a digit place reads O as 0 and I as 1, a letter place 0 as D. */
const AS_DIGIT: Record<string, string> = { O: '0', I: '1' };
const AS_LETTER: Record<string, string> = { '0': 'D' };

/**
 * The recognised characters (separators dropped) against the parsed plate's compact form, one to one. Each keeps
 * only the alternatives the place admits, through the same look-alike map as the grammar: at a digit place a
 * letter is no rival, but another digit is. Undefined when the counts differ (nothing to align).
 */
export function alignChars(compact: string, raw: readonly CtcChar[]): PlateChar[] | undefined {
  const kept = raw.filter((c) => /[A-Z0-9]/.test(c.char));
  if (kept.length !== compact.length) return undefined;
  return kept.map((c, i) => {
    const want = compact[i]!;
    const digit = want >= '0' && want <= '9';
    const map = (x: string) => (digit ? (AS_DIGIT[x] ?? x) : (AS_LETTER[x] ?? x));
    const fits = (x: string) => (digit ? x >= '0' && x <= '9' : SERIES_LETTERS.includes(x));
    const best = new Map<string, number>();
    for (const a of c.alts) {
      const m = map(a.char);
      if (m !== want && fits(m)) best.set(m, Math.max(best.get(m) ?? 0, a.p));
    }
    return {
      char: want,
      p: c.p,
      alts: [...best].map(([char, p]) => ({ char, p })).sort((a, b) => b.p - a.p),
    };
  });
}

export class PlateReader {
  constructor(
    private readonly ocr: PlateOcr,
    private readonly o: CandidateOptions = DEFAULT_CANDIDATE_OPTIONS,
  ) {}

  /**
   * `vehicle` is the vehicle's box in frame pixels. Undefined when no plate-shaped text was found at all (that
   * frame casts no vote); a read whose text fails the grammar has no `text` (it votes "unreadable").
   */
  async read(frame: RawImage, vehicle: Xyxy, tsMs: number, label?: string): Promise<FrameRead | undefined> {
    const w = vehicle[2] - vehicle[0];
    const h = vehicle[3] - vehicle[1];
    if (w < 8 || h < 8) return undefined;
    const rect: Xyxy = [
      Math.max(0, vehicle[0] - SEARCH_MARGIN * w),
      Math.max(0, vehicle[1] + SEARCH_TOP * h),
      Math.min(frame.width, vehicle[2] + SEARCH_MARGIN * w),
      Math.min(frame.height, vehicle[3] + SEARCH_MARGIN * h),
    ];
    let first: FrameRead | undefined;
    for (const k of DET_SCALES) {
      const lines = await this.ocr.detectLines(frame, rect, Math.round(this.ocr.detLongSidePx * k));
      for (const c of plateCandidates(lines, vehicle, this.o)) {
        const read = await this.recognise(frame, c, tsMs, label);
        if (read.text) return read;
        first ??= read;
      }
    }
    return first;
  }

  private async recognise(
    frame: RawImage,
    c: PlateCandidate,
    tsMs: number,
    label: string | undefined,
  ): Promise<FrameRead> {
    const lines = await Promise.all(
      c.lines.map((l) => {
        const h = l[3] - l[1];
        return this.ocr.recognise(frame, [
          Math.max(0, l[0] - LINE_PAD_X * h),
          l[1],
          Math.min(frame.width, l[2] + LINE_PAD_X * h),
          l[3],
        ]);
      }),
    );
    let texts = lines.map((r) => r.text);
    let chars = lines.map((r) => r.chars);
    let conf = Math.min(...lines.map((r) => r.confidence));
    let box = c.boxXyxy;
    let parsed = parsePlate(texts, label);
    // One line of a two-line plate (det often finds only one of the two ~10 px lines): read where the other
    // one must be, by the plate's layout, and parse the pair.
    if (!parsed.ok && c.lines.length === 1) {
      const other = this.completeTwoLine(c.boxXyxy, texts[0]!, frame);
      if (other) {
        const r = await this.ocr.recognise(frame, other.box);
        const pair = other.above ? [r.text, texts[0]!] : [texts[0]!, r.text];
        const p2 = parsePlate(pair, label);
        if (p2.ok) {
          parsed = p2;
          texts = pair;
          chars = other.above ? [r.chars, chars[0]!] : [chars[0]!, r.chars];
          conf = Math.min(conf, r.confidence);
          box = [
            Math.min(box[0], other.box[0]),
            Math.min(box[1], other.box[1]),
            Math.max(box[2], other.box[2]),
            Math.max(box[3], other.box[3]),
          ];
        }
      }
    }
    const read: FrameRead = {
      confidence: conf,
      colour: plateColour(frame, box),
      tsMs,
      plateBoxXyxyPx: box,
      raw: texts,
      lineChars: chars,
    };
    if (!parsed.ok) return read;
    const plateChars = alignChars(parsed.compact, chars.flat());
    return {
      ...read,
      text: parsed.text,
      kind: parsed.kind,
      ...(plateChars ? { chars: plateChars, confidence: marginConfidence(plateChars) } : {}),
    };
  }

  /**
   * Where the missing line of a two-line plate is: above a line that reads as the number (4-5 digits), or below
   * one that reads as province + series. Same height, directly adjacent (the plate layout, Circular 24/2023).
   */
  private completeTwoLine(
    line: Xyxy,
    text: string,
    frame: RawImage,
  ): { box: Xyxy; above: boolean } | undefined {
    const [x0, y0, x1, y1] = line;
    const h = y1 - y0;
    const w = x1 - x0;
    const compact = text.replace(/[^A-Z0-9]/g, '');
    const clamp = (b: Xyxy): Xyxy => [
      Math.max(0, b[0]),
      Math.max(0, b[1]),
      Math.min(frame.width, b[2]),
      Math.min(frame.height, b[3]),
    ];
    if (/^[0-9OI]{4,5}$/.test(compact) && y0 - h > 0)
      return { box: clamp([x0, y0 - 1.05 * h, x1, y0 + 0.05 * h]), above: true };
    if (/^[0-9OI]{2}[A-Z0][A-Z0-9]?$/.test(compact) && y1 + h < frame.height)
      return { box: clamp([x0 - 0.25 * w, y1 - 0.05 * h, x1 + 0.25 * w, y1 + 1.05 * h]), above: false };
    return undefined;
  }
}
