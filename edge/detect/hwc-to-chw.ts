// Packed 8-bit HWC pixels (as ffmpeg writes them) -> planar float CHW in a caller-owned buffer, one pass.
import type { ContentRect } from '../ingest/frame.ts';

/**
 * Converts the pixels inside `rect` (default: the whole image) and leaves the rest of `dst` alone, so a caller
 * that filled the letterbox padding once skips it on every frame (a 16:9 camera letterboxed to a square is
 * 44% padding). Channel order is kept: ffmpeg already delivers the order the model wants (rgb24 or bgr24).
 * `scale` is 1 for raw 0..255 models (YOLOX) and 1/255 for 0..1 models.
 */
export function hwcToChw(
  src: Uint8Array,
  dst: Float32Array,
  width: number,
  height: number,
  scale: number,
  rect: ContentRect = { x: 0, y: 0, width, height },
): void {
  const pixels = width * height;
  if (src.length < pixels * 3 || dst.length < pixels * 3) {
    throw new Error(`hwcToChw: need ${pixels * 3} values, got src ${src.length} and dst ${dst.length}`);
  }
  if (rect.x < 0 || rect.y < 0 || rect.x + rect.width > width || rect.y + rect.height > height) {
    throw new Error(`hwcToChw: rect ${JSON.stringify(rect)} is outside ${width}x${height}`);
  }
  const g = pixels;
  const b = 2 * pixels;
  const y1 = rect.y + rect.height;
  for (let y = rect.y; y < y1; y++) {
    const p0 = y * width + rect.x;
    const p1 = p0 + rect.width;
    if (scale === 1) {
      for (let p = p0, i = p0 * 3; p < p1; p++, i += 3) {
        dst[p] = src[i]!;
        dst[g + p] = src[i + 1]!;
        dst[b + p] = src[i + 2]!;
      }
    } else {
      for (let p = p0, i = p0 * 3; p < p1; p++, i += 3) {
        dst[p] = src[i]! * scale;
        dst[g + p] = src[i + 1]! * scale;
        dst[b + p] = src[i + 2]! * scale;
      }
    }
  }
}
