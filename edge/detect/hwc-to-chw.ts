// Packed 8-bit HWC pixels (as ffmpeg writes them) -> planar float CHW in a caller-owned buffer, one pass.

/**
 * Channel order is kept: ffmpeg already delivers the pixel format the model wants (rgb24 or bgr24), so no swap
 * happens here. `scale` is 1 for raw 0..255 models (YOLOX) and 1/255 for 0..1 models.
 */
export function hwcToChw(src: Uint8Array, dst: Float32Array, pixels: number, scale: number): void {
  if (src.length < pixels * 3 || dst.length < pixels * 3) {
    throw new Error(`hwcToChw: need ${pixels * 3} values, got src ${src.length} and dst ${dst.length}`);
  }
  const g = pixels;
  const b = 2 * pixels;
  if (scale === 1) {
    for (let p = 0, i = 0; p < pixels; p++, i += 3) {
      dst[p] = src[i]!;
      dst[g + p] = src[i + 1]!;
      dst[b + p] = src[i + 2]!;
    }
    return;
  }
  for (let p = 0, i = 0; p < pixels; p++, i += 3) {
    dst[p] = src[i]! * scale;
    dst[g + p] = src[i + 1]! * scale;
    dst[b + p] = src[i + 2]! * scale;
  }
}
