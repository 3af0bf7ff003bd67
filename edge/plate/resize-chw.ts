// Bilinear resize of an image rectangle into planar float input for the OCR networks (BGR order, as PaddleOCR trained).
import type { RawImage } from './raw-image.ts';

export interface ChwTarget {
  /** Output tensor width and height in pixels; the picture fills [0, contentWidth) and the rest is `padValue`. */
  width: number;
  height: number;
  contentWidth?: number;
  /** Rows [0, contentHeight) hold the picture; the rows below are `padValue`. */
  contentHeight?: number;
  /** Per channel (B, G, R order) value = (pixel / 255 - mean) / std. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Written to the padding (already normalised). */
  padValue?: number;
}

/**
 * PaddleOCR reads pictures with OpenCV, so its networks saw BGR: channel 0 is blue (tools/infer, ppocr/data/imaug).
 * Sampling is at pixel centres; a shrink by more than 2x averages a 2x2 neighbourhood per tap to limit aliasing.
 */
export function resizeToChw(
  img: RawImage,
  rect: readonly [number, number, number, number],
  t: ChwTarget,
  out?: Float32Array,
): Float32Array {
  const n = t.width * t.height;
  const dst = out && out.length === 3 * n ? out : new Float32Array(3 * n);
  const cw = Math.min(t.width, Math.max(1, t.contentWidth ?? t.width));
  const ch = Math.min(t.height, Math.max(1, t.contentHeight ?? t.height));
  const [rx0, ry0, rx1, ry1] = rect;
  const sx = Math.max(1e-6, rx1 - rx0) / cw;
  const sy = Math.max(1e-6, ry1 - ry0) / ch;
  const { width: iw, height: ih, data } = img;
  const pad = t.padValue ?? 0;
  const scale = [1 / (255 * t.std[0]), 1 / (255 * t.std[1]), 1 / (255 * t.std[2])];
  const offset = [t.mean[0] / t.std[0], t.mean[1] / t.std[1], t.mean[2] / t.std[2]];
  const sample = (fx: number, fy: number, k: number) => {
    const x = Math.min(iw - 1, Math.max(0, fx));
    const y = Math.min(ih - 1, Math.max(0, fy));
    const xA = Math.floor(x);
    const yA = Math.floor(y);
    const xB = Math.min(iw - 1, xA + 1);
    const yB = Math.min(ih - 1, yA + 1);
    const wx = x - xA;
    const wy = y - yA;
    const top = data[(yA * iw + xA) * 3 + k]! * (1 - wx) + data[(yA * iw + xB) * 3 + k]! * wx;
    const bottom = data[(yB * iw + xA) * 3 + k]! * (1 - wx) + data[(yB * iw + xB) * 3 + k]! * wx;
    return top * (1 - wy) + bottom * wy;
  };
  const shrink = sx > 2 || sy > 2;
  const qx = sx / 4;
  const qy = sy / 4;
  for (let oy = 0; oy < t.height; oy++) {
    const fy = ry0 + (oy + 0.5) * sy - 0.5;
    for (let ox = 0; ox < t.width; ox++) {
      const o = oy * t.width + ox;
      if (ox >= cw || oy >= ch) {
        dst[o] = pad;
        dst[n + o] = pad;
        dst[2 * n + o] = pad;
        continue;
      }
      const fx = rx0 + (ox + 0.5) * sx - 0.5;
      for (let ch = 0; ch < 3; ch++) {
        const k = 2 - ch; // BGR planes from RGB pixels
        const v = shrink
          ? (sample(fx - qx, fy - qy, k) +
              sample(fx + qx, fy - qy, k) +
              sample(fx - qx, fy + qy, k) +
              sample(fx + qx, fy + qy, k)) /
            4
          : sample(fx, fy, k);
        dst[ch * n + o] = v * scale[ch]! - offset[ch]!;
      }
    }
  }
  return dst;
}
