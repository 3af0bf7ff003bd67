// Plate colour from pixels: white, yellow, blue and red grounds with their glyphs; shade; degenerate boxes.
import { describe, expect, it } from 'vitest';
import { pixelClass, plateColour } from '../../edge/plate/plate-colour.ts';
import type { RawImage } from '../../edge/plate/raw-image.ts';

type Rgb = [number, number, number];
/** A 40x20 plate: ground colour with glyph pixels on a `glyphShare` of the columns. */
function plate(ground: Rgb, glyph: Rgb, glyphShare = 0.3): RawImage {
  const width = 40;
  const height = 20;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const c = x % 10 < glyphShare * 10 && y > 3 && y < 16 ? glyph : ground;
      data.set(c, (y * width + x) * 3);
    }
  return { data, width, height };
}
const BLACK: Rgb = [20, 20, 25];
const WHITE: Rgb = [235, 235, 230];

describe('pixelClass', () => {
  it.each([
    [[240, 240, 240], 'white'],
    [[130, 132, 135], 'white'], // a white plate in shade
    [[230, 200, 40], 'yellow'],
    [[30, 70, 170], 'blue'],
    [[190, 30, 30], 'red'],
    [[10, 10, 10], undefined],
    [[60, 60, 60], undefined],
    [[40, 160, 60], undefined], // a green taxi body
  ] as [Rgb, string | undefined][])('%j -> %s', (rgb, c) => {
    expect(pixelClass(...rgb)).toBe(c);
  });
});

describe('plateColour', () => {
  it.each([
    ['white', WHITE, BLACK],
    ['yellow', [225, 190, 50] as Rgb, BLACK],
    ['blue', [25, 60, 160] as Rgb, WHITE],
    ['red', [200, 35, 35] as Rgb, WHITE],
    ['unknown', [40, 160, 60] as Rgb, BLACK],
  ])('%s ground', (colour, ground, glyph) => {
    const img = plate(ground, glyph);
    expect(plateColour(img, [0, 0, img.width, img.height])).toBe(colour);
  });

  it.each([
    ['empty box', [10, 10, 10, 10]],
    ['outside the image', [100, 100, 120, 120]],
    ['inverted', [30, 15, 5, 2]],
  ])('%s is unknown', (_name, box) => {
    expect(plateColour(plate(WHITE, BLACK), box as [number, number, number, number])).toBe('unknown');
  });
});
