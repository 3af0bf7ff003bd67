// The segment ring holds what pending captures need: segments past `seconds` stay while the holder says it needs
// them, within heldMaxS; what retention deletes sets droppedThroughMs; the index brings the list back after a restart.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SegmentRing } from '../../edge/ingest/segment-ring.ts';
import { tempDir } from '../helpers/fixtures.ts';

/** Adds 2 s segments [0, 2), [2, 4), ... (ms from 0) with a small file each, as the muxer closes them. */
function record(ring: SegmentRing, dir: string, count: number, from = 0): void {
  for (let i = from; i < from + count; i++) {
    const file = path.join(dir, `seg-${String(i).padStart(3, '0')}.ts`);
    writeFileSync(file, Buffer.alloc(188, i));
    ring.add({ file, startMs: i * 2000, endMs: i * 2000 + 2000 });
  }
}

describe('segment ring holding for pending captures', () => {
  it('keeps held segments beyond seconds up to heldMaxS, deletes the rest and says up to when', () => {
    const dir = tempDir('matthan-ring-hold-');
    mkdirSync(dir, { recursive: true });
    let needFromMs: number | undefined = 3000; // a capture needs the footage from 3 s on
    const ring = new SegmentRing({ dir, seconds: 6, segmentS: 2, heldMaxS: 10 });
    ring.setHold(() => needFromMs);
    record(ring, dir, 6); // 0..12 s: 6 s kept + held ones ending after 3 s
    expect(ring.segments().map((s) => s.startMs)).toEqual([2000, 4000, 6000, 8000, 10_000]);
    expect(existsSync(path.join(dir, 'seg-000.ts'))).toBe(false);
    expect(ring.droppedThroughMs).toBe(2000);
    record(ring, dir, 4, 6); // 12..20 s: the cap (6 + 10 s) reaches the held footage
    expect(ring.segments().map((s) => s.startMs)).toEqual([
      4000, 6000, 8000, 10_000, 12_000, 14_000, 16_000, 18_000,
    ]);
    expect(ring.droppedThroughMs).toBe(4000);
    needFromMs = undefined; // captured: back to the ring's own seconds
    record(ring, dir, 1, 10);
    expect(ring.segments().map((s) => s.startMs)).toEqual([16_000, 18_000, 20_000]);

    // A new process on the same directory lists the same segments with their times and deletes no listed file.
    const next = new SegmentRing({ dir, seconds: 6, segmentS: 2, heldMaxS: 10 });
    expect(next.segments()).toEqual(ring.segments());
    next.beginRun(Date.now());
    for (const s of next.segments()) expect(existsSync(s.file)).toBe(true);
    expect(existsSync(path.join(dir, 'seg-007.ts'))).toBe(false);
  });

  it('an index naming files that are gone, or an unreadable one, starts empty', () => {
    const dir = tempDir('matthan-ring-index-');
    writeFileSync(
      path.join(dir, 'segments.json'),
      JSON.stringify([{ file: 'gone.ts', startMs: 0, endMs: 2000 }]),
    );
    expect(new SegmentRing({ dir, seconds: 6, segmentS: 2 }).segments()).toEqual([]);
    writeFileSync(path.join(dir, 'segments.json'), '{not json');
    expect(new SegmentRing({ dir, seconds: 6, segmentS: 2 }).segments()).toEqual([]);
  });
});
