// Colour test on a traffic lamp's region of a packed rgb24/bgr24 frame: which lamp colour is lit (pure functions).
import type { ContentRect, PixelFormat } from '../ingest/frame.ts';

export type LampColour = 'red' | 'amber' | 'green';

export interface PixelImage {
  width: number;
  height: number;
  pixelFormat: PixelFormat;
  /** width*height*3 bytes, packed HWC. */
  data: Uint8Array;
}

/** Integer pixel rectangle, x/y inclusive, width/height >= 1. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LampStats {
  pixels: number;
  /** Pixels of the lamp's hue (with enough colour and light for the hue to mean something). */
  matched: number;
  fraction: number;
  /** Mean of max(R,G,B) over the matched pixels, 0..255 (0 when none matched). */
  meanBrightness: number;
  /** Mean of (max-min)/max over the matched pixels, 0..1. */
  meanSaturation: number;
}

export interface LampThresholds {
  minBrightness: number;
  minSaturation: number;
  minFraction: number;
}

/**
 * Hue windows in degrees, [from, to) and wrapping past 360. LED reds run slightly magenta, LED greens are
 * blue-green (hue 150-190) rather than grass green, amber sits between red and yellow.
 */
export const LAMP_HUES: Record<LampColour, readonly [number, number]> = {
  red: [330, 25],
  amber: [25, 65],
  green: [90, 200],
};
/** Below these a pixel's hue is noise (grey road, black housing), so it is never a lamp pixel. */
const HUE_MIN_SATURATION = 0.2;
const HUE_MIN_VALUE = 50;

/** Maps a normalised region of the source picture into frame pixels, through the picture's place in the frame. */
export function regionToPixels(
  regionNorm: readonly [number, number, number, number],
  content: ContentRect,
  frameWidth: number,
  frameHeight: number,
): PixelRect {
  const clampX = (v: number) => Math.min(frameWidth, Math.max(0, v));
  const clampY = (v: number) => Math.min(frameHeight, Math.max(0, v));
  // Outward rounding: a lamp a few pixels wide must not lose its edge pixels to the scale-down.
  const x1 = clampX(Math.floor(content.x + regionNorm[0] * content.width));
  const y1 = clampY(Math.floor(content.y + regionNorm[1] * content.height));
  const x2 = clampX(Math.ceil(content.x + regionNorm[2] * content.width));
  const y2 = clampY(Math.ceil(content.y + regionNorm[3] * content.height));
  const x = Math.min(x1, frameWidth - 1);
  const y = Math.min(y1, frameHeight - 1);
  return { x, y, width: Math.max(1, x2 - x), height: Math.max(1, y2 - y) };
}

/** Hue in degrees 0..360 of an RGB triple (0 for greys). */
export function hueDeg(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  let h: number;
  if (max === r) h = ((g - b) / d) % 6;
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

function inHue(h: number, [from, to]: readonly [number, number]): boolean {
  return from <= to ? h >= from && h < to : h >= from || h < to;
}

/** Brightness, saturation and share of the pixels of one lamp colour inside rect. */
export function measureLamp(img: PixelImage, rect: PixelRect, colour: LampColour): LampStats {
  const [ri, bi] = img.pixelFormat === 'rgb24' ? [0, 2] : [2, 0];
  const hues = LAMP_HUES[colour];
  let matched = 0;
  let sumV = 0;
  let sumS = 0;
  const x2 = Math.min(img.width, rect.x + rect.width);
  const y2 = Math.min(img.height, rect.y + rect.height);
  let pixels = 0;
  for (let y = Math.max(0, rect.y); y < y2; y++) {
    for (let x = Math.max(0, rect.x); x < x2; x++) {
      pixels++;
      const o = (y * img.width + x) * 3;
      const r = img.data[o + ri]!;
      const g = img.data[o + 1]!;
      const b = img.data[o + bi]!;
      const max = Math.max(r, g, b);
      if (max < HUE_MIN_VALUE) continue;
      const s = (max - Math.min(r, g, b)) / max;
      if (s < HUE_MIN_SATURATION || !inHue(hueDeg(r, g, b), hues)) continue;
      matched++;
      sumV += max;
      sumS += s;
    }
  }
  return {
    pixels,
    matched,
    fraction: pixels > 0 ? matched / pixels : 0,
    meanBrightness: matched > 0 ? sumV / matched : 0,
    meanSaturation: matched > 0 ? sumS / matched : 0,
  };
}

export function lampLit(stats: LampStats, t: LampThresholds): boolean {
  return (
    stats.matched > 0 &&
    stats.fraction >= t.minFraction &&
    stats.meanBrightness >= t.minBrightness &&
    stats.meanSaturation >= t.minSaturation
  );
}

/**
 * One frame's reading: the single lit colour among the configured lamps, or undefined when none is lit or
 * several are (a dark frame, glare, a red bus behind the lamp: not evidence of any state).
 */
export function readLamp(
  img: PixelImage,
  regions: Partial<Record<LampColour, PixelRect>>,
  t: LampThresholds,
): LampColour | undefined {
  const lit: LampColour[] = [];
  for (const colour of ['red', 'amber', 'green'] as const) {
    const rect = regions[colour];
    if (rect && lampLit(measureLamp(img, rect, colour), t)) lit.push(colour);
  }
  return lit.length === 1 ? lit[0] : undefined;
}
