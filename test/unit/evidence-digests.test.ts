// The edge's digests of captured files: what each event's later messages declare.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvidenceDigests } from '../../edge/publish/evidence-digests.ts';
import { tempDir } from '../helpers/fixtures.ts';

describe('EvidenceDigests', () => {
  const dir = tempDir('matthan-digests-');
  const file = (name: string, body: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, body);
    return f;
  };
  const hex = (s: string) => createHash('sha256').update(s).digest('hex');

  it('hashes what the capture wrote and gives each event only its own files', async () => {
    const d = new EvidenceDigests();
    expect(await d.add('evt_a0000001_s', file('a_s.jpg', 'snapshot-a'))).toBe(hex('snapshot-a'));
    await d.add('evt_a0000001_v', file('a_v.mp4', 'clip-a'));
    await d.add('evt_a00000011_s', file('a1_s.jpg', 'other event')); // a longer id with the same prefix
    expect(d.forEvent('evt_a0000001')).toEqual({
      evt_a0000001_s: hex('snapshot-a'),
      evt_a0000001_v: hex('clip-a'),
    });
    expect(d.forEvent('evt_nothing00')).toBeUndefined();
    d.forget('evt_a0000001');
    expect(d.forEvent('evt_a0000001')).toBeUndefined();
    expect(d.size).toBe(1);
  });

  it('rejects a file that is gone (the caller logs it; nothing is declared)', async () => {
    const d = new EvidenceDigests();
    await expect(d.add('evt_b0000001_s', path.join(dir, 'missing.jpg'))).rejects.toThrow();
    expect(d.forEvent('evt_b0000001')).toBeUndefined();
  });
});
