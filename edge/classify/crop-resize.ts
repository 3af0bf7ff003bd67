// Crops a normalised box out of a model-size frame and bilinearly resizes it into a reused NCHW RGB Float32Array.
import type { Frame } from '../ingest/frame.ts';

const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/**
 * boxXyxyNorm is normalised to the source picture; the frame holds that picture scaled into `frame.content`
 * (letterbox or stretch), so box x maps to content.x + x * content.width frame pixels. Output is planar RGB
 * [3, size, size] whatever the frame's pixel order, sampled at pixel centres (a crop of exactly size x size
 * frame pixels copies them). Returns `out` (allocated when absent or of the wrong length).
 */
export function cropResizeChw(
  frame: Frame,
  boxXyxyNorm: readonly [number, number, number, number],
  size: number,
  normalization: 'unit' | 'imagenet',
  out?: Float32Array,
): Float32Array {
  const n = size * size;
  const dst = out && out.length === 3 * n ? out : new Float32Array(3 * n);
  const { width: fw, height: fh } = frame.spec;
  const c = frame.content;
  const x0 = c.x + boxXyxyNorm[0] * c.width;
  const y0 = c.y + boxXyxyNorm[1] * c.height;
  const bw = Math.max(1e-6, (boxXyxyNorm[2] - boxXyxyNorm[0]) * c.width);
  const bh = Math.max(1e-6, (boxXyxyNorm[3] - boxXyxyNorm[1]) * c.height);
  const sx = bw / size;
  const sy = bh / size;
  const bgr = frame.spec.pixelFormat === 'bgr24';
  const data = frame.data;
  const imagenet = normalization === 'imagenet';
  for (let oy = 0; oy < size; oy++) {
    const fy = Math.min(fh - 1, Math.max(0, y0 + (oy + 0.5) * sy - 0.5));
    const yA = Math.floor(fy);
    const yB = Math.min(fh - 1, yA + 1);
    const wy = fy - yA;
    for (let ox = 0; ox < size; ox++) {
      const fx = Math.min(fw - 1, Math.max(0, x0 + (ox + 0.5) * sx - 0.5));
      const xA = Math.floor(fx);
      const xB = Math.min(fw - 1, xA + 1);
      const wx = fx - xA;
      const iAA = (yA * fw + xA) * 3;
      const iAB = (yA * fw + xB) * 3;
      const iBA = (yB * fw + xA) * 3;
      const iBB = (yB * fw + xB) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const k = bgr ? 2 - ch : ch;
        const top = data[iAA + k]! * (1 - wx) + data[iAB + k]! * wx;
        const bottom = data[iBA + k]! * (1 - wx) + data[iBB + k]! * wx;
        let v = (top * (1 - wy) + bottom * wy) / 255;
        if (imagenet) v = (v - IMAGENET_MEAN[ch]!) / IMAGENET_STD[ch]!;
        dst[ch * n + oy * size + ox] = v;
      }
    }
  }
  return dst;
}
