import { describe, expect, it } from 'vitest';
import type { Frame, PixelFormat } from '../../edge/ingest/frame.ts';
import {
  hueDeg,
  type LampColour,
  measureLamp,
  type PixelImage,
  readLamp,
  regionToPixels,
} from '../../edge/signal/lamp-colour.ts';
import { LampSignalSource } from '../../edge/signal/lamp-signal.ts';
import type { LampSignalConfig } from '../../edge/signal/signal-schema.ts';

type Rgb = [number, number, number];
const W = 64;
const H = 48;

/** A synthetic picture: background colour, then filled rectangles [x, y, w, h, rgb]. */
function image(
  bg: Rgb,
  rects: [number, number, number, number, Rgb][] = [],
  fmt: PixelFormat = 'rgb24',
): PixelImage {
  const data = new Uint8Array(W * H * 3);
  const put = (x: number, y: number, [r, g, b]: Rgb) => {
    const o = (y * W + x) * 3;
    data[o] = fmt === 'rgb24' ? r : b;
    data[o + 1] = g;
    data[o + 2] = fmt === 'rgb24' ? b : r;
  };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) put(x, y, bg);
  for (const [rx, ry, rw, rh, c] of rects)
    for (let y = ry; y < ry + rh; y++) for (let x = rx; x < rx + rw; x++) put(x, y, c);
  return { width: W, height: H, pixelFormat: fmt, data };
}

const HOUSING: Rgb = [25, 25, 28];
const LED_RED: Rgb = [255, 40, 50];
const LED_GREEN: Rgb = [30, 230, 170];
const LED_AMBER: Rgb = [255, 170, 20];
const DIM_RED: Rgb = [70, 30, 30]; // an unlit red lens in daylight
const SKY: Rgb = [200, 210, 225];
const TREES: Rgb = [60, 120, 50];
const lamp = { x: 10, y: 10, width: 8, height: 8 };
const T = { minBrightness: 120, minSaturation: 0.35, minFraction: 0.08 };

describe('lamp colour math', () => {
  it.each([
    ['pure red', [255, 0, 0], 0],
    ['pure green', [0, 255, 0], 120],
    ['pure blue', [0, 0, 255], 240],
    ['magenta-ish LED red', [255, 40, 80], 348.8],
    ['grey', [128, 128, 128], 0],
  ] as [string, Rgb, number][])('hueDeg: %s', (_n, [r, g, b], h) => {
    expect(hueDeg(r, g, b)).toBeCloseTo(h, 0);
  });

  it.each([
    ['lit red LED', [[10, 10, 8, 8, LED_RED]], 'red', 64, true],
    ['lit red LED, bgr24 frame', [[10, 10, 8, 8, LED_RED]], 'red', 64, true],
    [
      'a small lit lamp in a dark housing',
      [
        [10, 10, 8, 8, HOUSING],
        [12, 12, 3, 3, LED_RED],
      ],
      'red',
      9,
      true,
    ],
    ['dark housing only', [[10, 10, 8, 8, HOUSING]], 'red', 0, false],
    ['unlit red lens (dim, under minBrightness)', [[10, 10, 8, 8, DIM_RED]], 'red', 64, false],
    ['green LED is not red', [[10, 10, 8, 8, LED_GREEN]], 'red', 0, false],
    ['green LED is green', [[10, 10, 8, 8, LED_GREEN]], 'green', 64, true],
    ['amber LED is amber, not red', [[10, 10, 8, 8, LED_AMBER]], 'amber', 64, true],
    ['washed-out sky is no colour', [[10, 10, 8, 8, SKY]], 'green', 0, false],
    [
      'one red pixel of 64 is below minFraction',
      [
        [10, 10, 8, 8, HOUSING],
        [13, 13, 1, 1, LED_RED],
      ],
      'red',
      1,
      false,
    ],
  ] as [
    string,
    [number, number, number, number, Rgb][],
    LampColour,
    number,
    boolean,
  ][])('measureLamp: %s', (name, rects, colour, matched, lit) => {
    const fmt: PixelFormat = name.includes('bgr24') ? 'bgr24' : 'rgb24';
    const s = measureLamp(image(TREES, rects, fmt), lamp, colour);
    expect(s.pixels).toBe(64);
    expect(s.matched).toBe(matched);
    const isLit =
      s.fraction >= T.minFraction &&
      s.meanBrightness >= T.minBrightness &&
      s.meanSaturation >= T.minSaturation;
    expect(isLit).toBe(lit);
  });

  it.each([
    ['red lamp lit', [[10, 10, 8, 8, LED_RED]], 'red'],
    ['green lamp lit', [[10, 30, 8, 8, LED_GREEN]], 'green'],
    ['nothing lit', [], undefined],
    [
      'red and green lit at once is not evidence of either',
      [
        [10, 10, 8, 8, LED_RED],
        [10, 30, 8, 8, LED_GREEN],
      ],
      undefined,
    ],
    ['a red car behind the green lamp region only', [[40, 30, 8, 8, LED_RED]], undefined],
  ] as [
    string,
    [number, number, number, number, Rgb][],
    LampColour | undefined,
  ][])('readLamp with separate red and green heads: %s', (_n, rects, expected) => {
    const regions = { red: lamp, green: { x: 10, y: 30, width: 8, height: 8 } };
    expect(readLamp(image(HOUSING, rects), regions, T)).toBe(expected);
  });

  it.each([
    ['single-head lamp showing red', LED_RED, 'red'],
    ['single-head lamp showing green', LED_GREEN, 'green'],
    ['single-head lamp showing amber', LED_AMBER, 'amber'],
  ] as [string, Rgb, LampColour][])('readLamp, one box for every colour: %s', (_n, c, expected) => {
    expect(readLamp(image(HOUSING, [[10, 10, 8, 8, c]]), { red: lamp, green: lamp, amber: lamp }, T)).toBe(
      expected,
    );
  });

  it.each([
    // 1920x1080 letterboxed top-left into 416x416: the picture is 416x234 at (0, 0).
    [
      'letterbox top-left',
      { x: 0, y: 0, width: 416, height: 234 },
      [0.5, 0.5, 0.6, 0.6],
      { x: 208, y: 117, width: 42, height: 24 },
    ],
    [
      'letterbox centred',
      { x: 0, y: 91, width: 416, height: 234 },
      [0.5, 0.5, 0.6, 0.6],
      { x: 208, y: 208, width: 42, height: 24 },
    ],
    [
      'a 2-pixel lamp keeps its edge pixels',
      { x: 0, y: 0, width: 416, height: 234 },
      [0.716, 0.052, 0.722, 0.058],
      { x: 297, y: 12, width: 4, height: 2 },
    ],
    [
      'clamped to the frame',
      { x: 0, y: 0, width: 416, height: 234 },
      [0.99, 0.99, 1, 1],
      { x: 411, y: 231, width: 5, height: 3 },
    ],
  ] as [
    string,
    Frame['content'],
    [number, number, number, number],
    object,
  ][])('regionToPixels: %s', (_n, content, region, expected) => {
    expect(regionToPixels(region, content, 416, 416)).toEqual(expected);
  });
});

describe('lamp signal source: hysteresis and staleness', () => {
  const cfg: LampSignalConfig = {
    source: 'lamp',
    redRegionNorm: [10 / W, 10 / H, 18 / W, 18 / H],
    greenRegionNorm: [10 / W, 10 / H, 18 / W, 18 / H],
    minBrightness: 120,
    minSaturation: 0.35,
    minFraction: 0.08,
    hysteresisFrames: 3,
    staleAfterS: 3,
  };
  const frameOf = (c: Rgb | undefined): Frame => {
    const img = image(HOUSING, c ? [[10, 10, 8, 8, c]] : [], 'bgr24');
    return {
      cameraId: 'c',
      seq: 0,
      tsMs: 0,
      spec: { width: W, height: H, pixelFormat: 'bgr24', fit: 'stretch', padValue: 114 },
      content: { x: 0, y: 0, width: W, height: H },
      sourceWidth: W,
      sourceHeight: H,
      data: Buffer.from(img.data),
    };
  };
  const R = LED_RED;
  const G = LED_GREEN;
  const OFF = undefined;

  it.each([
    ['no frames yet: unknown', [], 'unknown'],
    ['steady green', [G, G, G, G], 'green'],
    ['two red frames are not enough to leave green', [G, G, G, R, R], 'green'],
    ['three red frames switch to red', [G, G, G, R, R, R], 'red'],
    ['an LED flicker (one dark frame) keeps red', [R, R, R, R, OFF, R, R], 'red'],
    ['two dark frames still keep red', [R, R, R, OFF, OFF], 'red'],
    ['three dark frames: the lamp cannot be read, unknown', [R, R, R, OFF, OFF, OFF], 'unknown'],
    [
      'alternating readings never settle away from the current state',
      [G, G, G, R, OFF, R, OFF, R, OFF],
      'green',
    ],
  ] as [string, (Rgb | undefined)[], string][])('%s', (_n, frames, expected) => {
    const src = new LampSignalSource(cfg, () => 1000);
    for (const c of frames) src.onFrame(frameOf(c));
    expect(src.state()).toBe(expected);
  });

  it('goes unknown when frames stop arriving for staleAfterS', () => {
    let now = 1000;
    const src = new LampSignalSource(cfg, () => now);
    for (let i = 0; i < 3; i++) src.onFrame(frameOf(R));
    expect(src.state()).toBe('red');
    now += 2900;
    expect(src.state()).toBe('red');
    now += 200;
    expect(src.state()).toBe('unknown');
  });
});
