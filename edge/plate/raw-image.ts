// A decoded picture in memory (interleaved 8-bit RGB, row-major): the unit the plate reader works on.

export interface RawImage {
  /** width * height * 3 bytes, R G B per pixel, rows top to bottom. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** A pixel rectangle [x0, y0, x1, y1) inside an image (x1, y1 exclusive). */
export type BoxXyxyPx = [number, number, number, number];

/** Checks the buffer length against the size; a wrong one would read out of bounds silently. */
export function assertRawImage(img: RawImage, name = 'image'): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0)
    throw new Error(`${name}: size must be positive integers, got ${img.width}x${img.height}`);
  if (img.data.length !== img.width * img.height * 3)
    throw new Error(
      `${name}: ${img.data.length} bytes for ${img.width}x${img.height} RGB (expected ${img.width * img.height * 3})`,
    );
}

/** Copies a rectangle out (clamped to the image); undefined when nothing of it is inside. */
export function cropImage(img: RawImage, box: readonly number[]): RawImage | undefined {
  const x0 = Math.max(0, Math.floor(box[0]!));
  const y0 = Math.max(0, Math.floor(box[1]!));
  const x1 = Math.min(img.width, Math.ceil(box[2]!));
  const y1 = Math.min(img.height, Math.ceil(box[3]!));
  if (x1 <= x0 || y1 <= y0) return undefined;
  const w = x1 - x0;
  const h = y1 - y0;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * img.width + x0) * 3;
    out.set(img.data.subarray(src, src + w * 3), y * w * 3);
  }
  return { data: out, width: w, height: h };
}
