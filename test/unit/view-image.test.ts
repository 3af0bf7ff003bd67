import { describe, expect, it } from 'vitest';
import type { Frame, FrameSpec } from '../../edge/ingest/frame.ts';
import { grayViewFromFrame, viewImageSize } from '../../edge/view/view-image.ts';

/** A model-sized frame whose content pixels are given by `px(x, y)` as [c0, c1, c2] and whose padding is 114. */
function frame(
  spec: Pick<FrameSpec, 'width' | 'height' | 'pixelFormat'>,
  content: { x: number; y: number; width: number; height: number },
  px: (x: number, y: number) => [number, number, number],
): Frame {
  const data = Buffer.alloc(spec.width * spec.height * 3, 114);
  for (let y = 0; y < content.height; y++)
    for (let x = 0; x < content.width; x++)
      data.set(px(x, y), ((content.y + y) * spec.width + content.x + x) * 3);
  return {
    cameraId: 'c',
    seq: 0,
    tsMs: 0,
    spec: { ...spec, fit: 'letterbox-topleft', padValue: 114 },
    content,
    sourceWidth: 1920,
    sourceHeight: 1080,
    data,
  };
}

describe('viewImageSize', () => {
  it.each([
    ['1080p picture in a 416 letterbox, 320 wide', 320, 416, 234, 320, 180],
    ['never wider than the picture', 640, 416, 234, 416, 234],
    ['a portrait picture', 100, 200, 400, 100, 200],
    ['a sliver of a picture', 320, 416, 2, 320, 2],
    ['one pixel', 320, 1, 1, 1, 1],
  ])('%s', (_n, want, cw, ch, w, h) => {
    expect(viewImageSize(want, cw, ch)).toEqual({ width: w, height: h });
  });
});

describe('grayViewFromFrame', () => {
  const spec = { width: 8, height: 8, pixelFormat: 'bgr24' as const };
  const content = { x: 0, y: 0, width: 8, height: 4 };

  it.each([
    ['bgr24 pure blue', 'bgr24', [255, 0, 0], 28],
    ['rgb24 pure blue', 'rgb24', [0, 0, 255], 28],
    ['bgr24 pure red', 'bgr24', [0, 0, 255], 76],
    ['rgb24 pure green', 'rgb24', [0, 255, 0], 149],
    ['white', 'rgb24', [255, 255, 255], 255],
    ['blank black frame', 'bgr24', [0, 0, 0], 0],
  ] as [
    string,
    'rgb24' | 'bgr24',
    [number, number, number],
    number,
  ][])('%s -> luma %s (BT.601)', (_n, fmt, px, luma) => {
    const img = grayViewFromFrame(
      frame({ ...spec, pixelFormat: fmt }, content, () => px),
      8,
    );
    expect(img.width).toBe(8);
    expect(img.height).toBe(4);
    expect([...new Set(img.data)]).toEqual([luma]);
  });

  it('reads only the picture: the letterbox padding (114 grey) never shows', () => {
    const f = frame(spec, { x: 0, y: 2, width: 8, height: 4 }, () => [10, 10, 10]);
    expect([...new Set(grayViewFromFrame(f, 8).data)]).toEqual([10]);
  });

  it('averages the pixels each guard pixel covers (no aliasing of a 1-px checkerboard)', () => {
    const f = frame(spec, content, (x, y) => ((x + y) % 2 ? [200, 200, 200] : [0, 0, 0]));
    const img = grayViewFromFrame(f, 4);
    expect(img.width).toBe(4);
    expect(img.height).toBe(2);
    for (const v of img.data) expect(v).toBeGreaterThanOrEqual(98);
    for (const v of img.data) expect(v).toBeLessThanOrEqual(100);
  });
});
