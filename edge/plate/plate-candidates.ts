// Groups detected text lines into plate candidates: one line, or two stacked lines, of plate-like shape (pure).

export type Xyxy = [number, number, number, number];

export interface PlateCandidate {
  /** Line boxes top to bottom (one or two), in image pixels. */
  lines: Xyxy[];
  /** Union of the lines. */
  boxXyxy: Xyxy;
  /** Mean det score of the lines. */
  score: number;
}

export interface CandidateOptions {
  /** Lines shorter than this (image pixels, full resolution) are too small to read; a 40 px wide plate read wrong. */
  minLineHeightPx: number;
  /** width / height of one text line of a plate: a car's one-line plate is ~4.7, a motorbike's lines ~2-3. */
  minLineAspect: number;
  maxLineAspect: number;
  /** Plates sit below this fraction of the vehicle box from its top (not the roof sign of a taxi, not a rider's shirt). */
  minCentreYInVehicle: number;
  maxCandidates: number;
}

export const DEFAULT_CANDIDATE_OPTIONS: CandidateOptions = {
  minLineHeightPx: 7,
  minLineAspect: 1.2,
  maxLineAspect: 9,
  minCentreYInVehicle: 0.3,
  maxCandidates: 4,
};

const height = (b: Xyxy) => b[3] - b[1];
const width = (b: Xyxy) => b[2] - b[0];
const union = (a: Xyxy, b: Xyxy): Xyxy => [
  Math.min(a[0], b[0]),
  Math.min(a[1], b[1]),
  Math.max(a[2], b[2]),
  Math.max(a[3], b[3]),
];
const overlap1d = (a0: number, a1: number, b0: number, b1: number) =>
  Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/** Boxes on one row with a small gap (det split `30E-` from `586.70`) become one line. */
function mergeRows(boxes: readonly Xyxy[]): Xyxy[] {
  const out = boxes.map((b) => [...b] as Xyxy);
  let merged = true;
  while (merged) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i++) {
      for (let j = i + 1; j < out.length && !merged; j++) {
        const a = out[i]!;
        const b = out[j]!;
        const h = Math.min(height(a), height(b));
        const sameRow = overlap1d(a[1], a[3], b[1], b[3]) > 0.6 * h;
        const gap = Math.max(a[0], b[0]) - Math.min(a[2], b[2]);
        if (sameRow && gap < 0.8 * h) {
          out[i] = union(a, b);
          out.splice(j, 1);
          merged = true;
        }
      }
    }
  }
  return out;
}

/**
 * `lines` are det boxes in image pixels, `vehicle` the vehicle's box in the same pixels. Two-line candidates
 * (stacked, centred over each other, similar heights, a small gap) come first: every motorbike plate and the
 * square car plates are two lines, and reading each line alone would lose half the plate.
 */
export function plateCandidates(
  lines: readonly { boxXyxy: Xyxy; score: number }[],
  vehicle: Xyxy,
  o: CandidateOptions = DEFAULT_CANDIDATE_OPTIONS,
): PlateCandidate[] {
  const scoreOf = (b: Xyxy) => {
    let best = 0;
    for (const l of lines)
      if (
        overlap1d(l.boxXyxy[0], l.boxXyxy[2], b[0], b[2]) > 0 &&
        overlap1d(l.boxXyxy[1], l.boxXyxy[3], b[1], b[3]) > 0
      )
        best = Math.max(best, l.score);
    return best;
  };
  const vh = Math.max(1, height(vehicle));
  const rows = mergeRows(lines.map((l) => l.boxXyxy)).filter((b) => {
    const aspect = width(b) / Math.max(1e-6, height(b));
    const cy = ((b[1] + b[3]) / 2 - vehicle[1]) / vh;
    return (
      height(b) >= o.minLineHeightPx &&
      aspect >= o.minLineAspect &&
      aspect <= o.maxLineAspect &&
      cy >= o.minCentreYInVehicle
    );
  });
  rows.sort((a, b) => a[1] - b[1]);
  const out: PlateCandidate[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const top = rows[i]!;
      const bottom = rows[j]!;
      const h = Math.max(height(top), height(bottom));
      const ratio = height(top) / height(bottom);
      const gap = bottom[1] - top[3];
      const cx = Math.abs((top[0] + top[2]) / 2 - (bottom[0] + bottom[2]) / 2);
      const xOverlap = overlap1d(top[0], top[2], bottom[0], bottom[2]) / Math.min(width(top), width(bottom));
      if (ratio < 0.6 || ratio > 1.6) continue;
      if (gap < -0.4 * h || gap > 0.6 * h) continue;
      if (xOverlap < 0.6 || cx > 0.35 * Math.max(width(top), width(bottom))) continue;
      out.push({
        lines: [top, bottom],
        boxXyxy: union(top, bottom),
        score: (scoreOf(top) + scoreOf(bottom)) / 2,
      });
    }
  }
  // A paired line may still be a one-line plate under an unrelated line (a taxi's door lettering): keep it as a
  // single too, after the pairs.
  for (let i = 0; i < rows.length; i++) {
    out.push({ lines: [rows[i]!], boxXyxy: rows[i]!, score: scoreOf(rows[i]!) });
  }
  // Two-line first, then the larger (nearer, sharper) candidates.
  out.sort(
    (a, b) =>
      b.lines.length - a.lines.length ||
      height(b.boxXyxy) * width(b.boxXyxy) - height(a.boxXyxy) * width(a.boxXyxy),
  );
  return out.slice(0, o.maxCandidates);
}
