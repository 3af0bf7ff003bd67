// byteWindow cuts exactly [skip, skip+length) out of a chunked stream, whatever the chunk boundaries.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { byteWindow } from '../../central/evidence/byte-window.ts';

const BODY = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
const run = async (skip: number, length: number, chunk: number) => {
  const parts: Buffer[] = [];
  const src = Readable.from(
    Array.from({ length: Math.ceil(BODY.length / chunk) }, (_, i) =>
      BODY.subarray(i * chunk, (i + 1) * chunk),
    ),
  );
  for await (const c of src.pipe(byteWindow(skip, length))) parts.push(c as Buffer);
  return Buffer.concat(parts);
};

describe('byteWindow', () => {
  it.each([
    ['the first byte', 0, 1, 7],
    ['the whole body', 0, 100, 7],
    ['a window inside one chunk', 2, 3, 10],
    ['a window across chunks', 5, 30, 7],
    ['the last byte', 99, 1, 7],
    ['one-byte chunks', 10, 5, 1],
    ['a window longer than the body', 90, 50, 7],
    ['an empty window', 10, 0, 7],
    ['a window past the end', 150, 5, 7],
  ])('passes %s', async (_n, skip, length, chunk) => {
    expect((await run(skip, length, chunk)).equals(BODY.subarray(skip, skip + length))).toBe(true);
  });
});
