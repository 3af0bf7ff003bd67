// DB post-processing (Liao et al., "Real-time Scene Text Detection with Differentiable Binarization"): text-line
// boxes from PP-OCR det's probability map (pure).

export interface TextLineBox {
  /** Axis-aligned box in map pixels, x1/y1 exclusive, after unclipping. */
  boxXyxy: [number, number, number, number];
  /** Mean probability inside the shrunk (detected) box. */
  score: number;
}

export interface TextLineOptions {
  /** Pixel threshold of the binarisation (PaddleOCR det_db_thresh 0.3). */
  binaryThreshold: number;
  /** Minimum mean probability of a box (det_db_box_thresh 0.6). */
  boxThreshold: number;
  /** The network predicts shrunk text kernels; each box grows by area * ratio / perimeter (det_db_unclip_ratio 1.5). */
  unclipRatio: number;
  /** Boxes whose short side is under this many map pixels are noise (PaddleOCR min_size 3). */
  minSizePx: number;
  /** At most this many boxes, largest score first. */
  maxBoxes: number;
}

export const DEFAULT_TEXT_LINE_OPTIONS: TextLineOptions = {
  binaryThreshold: 0.3,
  boxThreshold: 0.6,
  unclipRatio: 1.5,
  minSizePx: 3,
  maxBoxes: 50,
};

/**
 * Connected components (4-neighbour) of the binarised map, each as its bounding box. Plates from a fixed camera
 * are near level, so an axis-aligned box replaces PaddleOCR's minimum-area rotated rectangle.
 */
export function textLineBoxes(
  prob: Float32Array,
  width: number,
  height: number,
  o: TextLineOptions = DEFAULT_TEXT_LINE_OPTIONS,
): TextLineBox[] {
  if (width <= 0 || height <= 0 || prob.length < width * height) return [];
  const seen = new Uint8Array(width * height);
  const stack: number[] = [];
  const out: TextLineBox[] = [];
  for (let start = 0; start < width * height; start++) {
    if (seen[start] || prob[start]! <= o.binaryThreshold) continue;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      const visit = (j: number) => {
        if (!seen[j] && prob[j]! > o.binaryThreshold) {
          seen[j] = 1;
          stack.push(j);
        }
      };
      if (x > 0) visit(i - 1);
      if (x < width - 1) visit(i + 1);
      if (y > 0) visit(i - width);
      if (y < height - 1) visit(i + width);
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (Math.min(w, h) < o.minSizePx) continue;
    let sum = 0;
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) sum += prob[y * width + x]!;
    const score = sum / (w * h);
    if (score < o.boxThreshold) continue;
    const d = (w * h * o.unclipRatio) / (2 * (w + h));
    out.push({
      boxXyxy: [
        Math.max(0, x0 - d),
        Math.max(0, y0 - d),
        Math.min(width, x1 + 1 + d),
        Math.min(height, y1 + 1 + d),
      ],
      score,
    });
  }
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, o.maxBoxes);
}
