// The view guard's input: a small grayscale image of the camera's whole view, and how to derive it from a Frame.
import type { Frame } from '../ingest/frame.ts';

/**
 * One byte per pixel, row-major, width x height; the whole picture (no padding), so normalised coordinates of the
 * source picture are pixel / width and pixel / height. The guard needs nothing else: where the image comes from
 * (the model frame today, a crop-independent ffmpeg output tomorrow) can change behind this shape.
 */
export interface ViewImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The guard image size for a picture: `widthPx` wide (never wider than the content), height by its aspect. */
export function viewImageSize(widthPx: number, contentWidth: number, contentHeight: number) {
  const width = Math.max(1, Math.min(widthPx, contentWidth));
  const height = Math.min(contentHeight, Math.max(1, Math.round((width * contentHeight) / contentWidth)));
  return { width, height };
}

/**
 * Luma (BT.601 weights, integer maths) of the frame's content rectangle (the picture without letterbox
 * padding), resampled by area averaging to `widthPx` wide. Averaging rather than picking pixels keeps the
 * image free of aliasing that would make corners flicker between frames. Pure; O(content pixels).
 */
export function grayViewFromFrame(frame: Frame, widthPx: number): ViewImage {
  const { content, spec, data } = frame;
  const { width, height } = viewImageSize(widthPx, content.width, content.height);
  const rgb = spec.pixelFormat === 'rgb24';
  const rW = rgb ? 77 : 29;
  const bW = rgb ? 29 : 77;
  // The content columns each guard column covers, [colStart[g], colStart[g + 1]), computed once (content column x
  // falls in guard column floor(x * width / content.width)): the pixel loop runs over spans and does no lookup.
  const colStart = new Int32Array(width + 1);
  for (let g = 0; g <= width; g++) colStart[g] = Math.ceil((g * content.width) / width);
  const rowSums = new Uint32Array(width);
  const out = new Uint8Array(width * height);
  const stride = spec.width * 3;
  let y = 0;
  for (let gy = 0; gy < height; gy++) {
    // Content rows y with floor(y * height / content.height) === gy.
    const yEnd = Math.ceil(((gy + 1) * content.height) / height);
    const rows = yEnd - y;
    rowSums.fill(0);
    for (; y < yEnd; y++) {
      let i = (content.y + y) * stride + content.x * 3;
      for (let g = 0; g < width; g++) {
        const end = colStart[g + 1]!;
        let s = 0;
        for (let x = colStart[g]!; x < end; x++, i += 3)
          // (77 R + 150 G + 29 B) / 256 = 0.299 R + 0.587 G + 0.114 B (BT.601)
          s += (rW * data[i]! + 150 * data[i + 1]! + bW * data[i + 2]!) >> 8;
        rowSums[g]! += s;
      }
    }
    const k = gy * width;
    for (let g = 0; g < width; g++) {
      const n = rows * (colStart[g + 1]! - colStart[g]!);
      out[k + g] = n > 0 ? Math.round(rowSums[g]! / n) : 0;
    }
  }
  return { width, height, data: out };
}
