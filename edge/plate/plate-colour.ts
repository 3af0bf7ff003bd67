// Plate background colour from the pixels of a plate box (pure): white, yellow, blue, red, or unknown.
import type { PlateColour } from '../../contract/index.ts';
import type { RawImage } from './raw-image.ts';

export type { PlateColour };

/** Pixels that decide: more than this share of the box must be one background colour, else `unknown`. */
const MIN_SHARE = 0.2;

/** One pixel's colour class by hue, saturation and value (HSV, hue in degrees); undefined for glyph-dark or other. */
export function pixelClass(r: number, g: number, b: number): PlateColour | undefined {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max / 255;
  const s = max === 0 ? 0 : (max - min) / max;
  if (v < 0.3) return undefined; // the glyphs of a light plate, shadows
  if (s < 0.22) return v > 0.45 ? 'white' : undefined; // grey: a white plate in shade reads ~0.5
  let h: number;
  if (max === r) h = (60 * (g - b)) / (max - min);
  else if (max === g) h = 60 * ((b - r) / (max - min) + 2);
  else h = 60 * ((r - g) / (max - min) + 4);
  if (h < 0) h += 360;
  if (s >= 0.35 && h >= 30 && h <= 70) return 'yellow';
  if (s >= 0.3 && h >= 185 && h <= 255) return 'blue';
  if (s >= 0.4 && (h <= 15 || h >= 340)) return 'red';
  return undefined;
}

/**
 * The most frequent background class over the box. Dark glyphs on a light plate fall out as "dark"; on blue
 * and red plates the glyphs are white but cover less of the plate than its ground, so the ground still wins.
 */
export function plateColour(img: RawImage, box: readonly [number, number, number, number]): PlateColour {
  const x0 = Math.max(0, Math.floor(box[0]));
  const y0 = Math.max(0, Math.floor(box[1]));
  const x1 = Math.min(img.width, Math.ceil(box[2]));
  const y1 = Math.min(img.height, Math.ceil(box[3]));
  if (x1 <= x0 || y1 <= y0) return 'unknown';
  const counts = { white: 0, yellow: 0, blue: 0, red: 0, unknown: 0 };
  let total = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 3;
      const c = pixelClass(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!);
      total++;
      if (c) counts[c]++;
    }
  }
  let best: PlateColour = 'unknown';
  let bestN = 0;
  for (const c of ['white', 'yellow', 'blue', 'red'] as const) {
    if (counts[c] > bestN) {
      best = c;
      bestN = counts[c];
    }
  }
  return bestN > MIN_SHARE * total ? best : 'unknown';
}
