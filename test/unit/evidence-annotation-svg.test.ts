// The snapshot overlay: box, zone and line scaled to pixels, caption escaped, label kept inside the image.
import { describe, expect, it } from 'vitest';
import { type Annotation, annotationSvg } from '../../edge/evidence/annotation-svg.ts';

const base: Annotation = {
  width: 1920,
  height: 1080,
  boxXyxyNorm: [0.25, 0.5, 0.5, 0.75],
  label: 'car 0.87',
  caption: ['queue · waiting-area'],
};

describe('annotationSvg', () => {
  it.each<[string, Partial<Annotation>, string[], string[]]>([
    ['box in pixels', {}, ['<rect x="480" y="540" width="480" height="270"'], ['<polygon', '<polyline']],
    [
      'zone polygon',
      {
        zoneNorm: [
          [0, 0.5],
          [1, 0.5],
          [1, 1],
        ],
      },
      ['<polygon points="0,540 1920,540 1920,1080"'],
      ['<polyline'],
    ],
    [
      'line polyline',
      {
        lineNorm: [
          [0, 0.6],
          [1, 0.6],
        ],
      },
      ['<polyline points="0,648 1920,648"'],
      ['<polygon'],
    ],
    [
      'degenerate zone (2 points) is not drawn',
      {
        zoneNorm: [
          [0, 0],
          [1, 1],
        ],
      },
      [],
      ['<polygon'],
    ],
    [
      'swapped box corners are normalised',
      { boxXyxyNorm: [0.5, 0.75, 0.25, 0.5] },
      ['<rect x="480" y="540" width="480" height="270"'],
      [],
    ],
    [
      'out-of-range coordinates are clamped',
      { boxXyxyNorm: [-0.1, -0.2, 1.3, 0.5] },
      ['<rect x="0" y="0" width="1920" height="540"'],
      [],
    ],
    [
      'caption and label are XML-escaped',
      { label: 'car <b>&"', caption: ["cam 'a' <x>"] },
      ['car &lt;b&gt;&amp;&quot;', 'cam &apos;a&apos; &lt;x&gt;'],
      ['<b>', '<x>'],
    ],
    [
      'label of a box at the top edge goes below the box',
      { boxXyxyNorm: [0.1, 0, 0.2, 0.1] },
      ['<text x="192" y="138"'],
      [],
    ],
  ])('%s', (_name, over, present, absent) => {
    const svg = annotationSvg({ ...base, ...over });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="1920" height="1080"')).toBe(true);
    for (const p of present) expect(svg).toContain(p);
    for (const a of absent) expect(svg).not.toContain(a);
  });
});
