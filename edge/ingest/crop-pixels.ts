// A normalised crop rectangle in source pixels, with the arithmetic of ffmpeg-args' crop filter.

/** A crop in source pixels, with even offsets and sizes (chroma planes); an edge on the frame edge stays on it. */
export function cropPixels(
  r: readonly number[],
  sourceWidth: number,
  sourceHeight: number,
): { x: number; y: number; width: number; height: number } {
  const lo = (v: number, size: number) => Math.floor((v * size) / 2) * 2;
  const hi = (v: number, size: number) => (v >= 1 ? size : Math.floor((v * size) / 2) * 2);
  const x = lo(r[0]!, sourceWidth);
  const y = lo(r[1]!, sourceHeight);
  return {
    x,
    y,
    width: Math.max(2, hi(r[2]!, sourceWidth) - x),
    height: Math.max(2, hi(r[3]!, sourceHeight) - y),
  };
}
