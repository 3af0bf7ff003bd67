// Packed 8-bit HWC pixels (as ffmpeg writes them) -> planar float CHW in a caller-owned buffer, one pass.
import os from 'node:os';
import type { ContentRect } from '../ingest/frame.ts';

/** Four pixels are three 32-bit words; reading words is ~1.5x faster than bytes (needs little-endian). */
const WORDS_OK = os.endianness() === 'LE';

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
  // Word reads need the frame's bytes 4-aligned in their buffer; ffmpeg frames are, slices may not be.
  const words =
    WORDS_OK && src.byteOffset % 4 === 0
      ? new Uint32Array(src.buffer, src.byteOffset, Math.floor(src.length / 4))
      : undefined;
  const y1 = rect.y + rect.height;
  for (let y = rect.y; y < y1; y++) {
    const p0 = y * width + rect.x;
    convertRun(src, words, dst, p0, p0 + rect.width, pixels, scale);
  }
}

/** Pixels [p0, p1): bytes up to a pixel index divisible by 4 (= a word boundary), then 4 pixels per 3 words. */
function convertRun(
  src: Uint8Array,
  words: Uint32Array | undefined,
  dst: Float32Array,
  p0: number,
  p1: number,
  plane: number,
  scale: number,
): void {
  const g = plane;
  const b = 2 * plane;
  let p = p0;
  if (words) {
    for (; p < p1 && p % 4 !== 0; p++) {
      dst[p] = src[p * 3]! * scale;
      dst[g + p] = src[p * 3 + 1]! * scale;
      dst[b + p] = src[p * 3 + 2]! * scale;
    }
    for (let w = (p * 3) / 4; p + 4 <= p1; p += 4, w += 3) {
      const w0 = words[w]!;
      const w1 = words[w + 1]!;
      const w2 = words[w + 2]!;
      dst[p] = (w0 & 255) * scale;
      dst[g + p] = ((w0 >>> 8) & 255) * scale;
      dst[b + p] = ((w0 >>> 16) & 255) * scale;
      dst[p + 1] = (w0 >>> 24) * scale;
      dst[g + p + 1] = (w1 & 255) * scale;
      dst[b + p + 1] = ((w1 >>> 8) & 255) * scale;
      dst[p + 2] = ((w1 >>> 16) & 255) * scale;
      dst[g + p + 2] = (w1 >>> 24) * scale;
      dst[b + p + 2] = (w2 & 255) * scale;
      dst[p + 3] = ((w2 >>> 8) & 255) * scale;
      dst[g + p + 3] = ((w2 >>> 16) & 255) * scale;
      dst[b + p + 3] = (w2 >>> 24) * scale;
    }
  }
  for (; p < p1; p++) {
    dst[p] = src[p * 3]! * scale;
    dst[g + p] = src[p * 3 + 1]! * scale;
    dst[b + p] = src[p * 3 + 2]! * scale;
  }
}
