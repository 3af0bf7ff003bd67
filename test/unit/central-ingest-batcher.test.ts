// The ingest batcher: batches by size or by turn of the event loop, acks only after the store call returns.
import { describe, expect, it } from 'vitest';
import { IngestBatcher, type PendingMessage } from '../../central/ingest/ingest-batcher.ts';

function harness(batchSize: number, failOn?: (batch: readonly PendingMessage[]) => boolean) {
  const batches: string[][] = [];
  const acks: { topic: string; ok: boolean }[] = [];
  const scheduled: (() => void)[] = [];
  const batcher = new IngestBatcher({
    batchSize,
    schedule: (fn) => scheduled.push(fn),
    store: (batch) => {
      if (failOn?.(batch)) throw new Error('disk full');
      batches.push(batch.map((m) => m.topic));
    },
  });
  const add = (topic: string) =>
    batcher.add({ topic, payload: Buffer.from(topic), ack: (err) => acks.push({ topic, ok: !err }) });
  const tick = () => {
    for (const fn of scheduled.splice(0)) fn();
  };
  return { batcher, batches, acks, add, tick };
}

describe('IngestBatcher', () => {
  it.each([
    // batchSize, messages, batches expected after the scheduled flush
    [3, 0, []],
    [3, 1, [['m0']]],
    [3, 3, [['m0', 'm1', 'm2']]],
    [3, 4, [['m0', 'm1', 'm2'], ['m3']]],
    [1, 2, [['m0'], ['m1']]],
    [500, 5, [['m0', 'm1', 'm2', 'm3', 'm4']]],
  ])('batchSize %i, %i messages', (batchSize, n, expected) => {
    const h = harness(batchSize);
    for (let i = 0; i < n; i++) h.add(`m${i}`);
    h.tick();
    expect(h.batches).toEqual(expected);
    expect(h.acks).toEqual(expected.flat().map((topic) => ({ topic, ok: true })));
  });

  it('acks nothing before the store call, and only the committed batch', () => {
    const h = harness(10);
    h.add('a');
    h.add('b');
    expect(h.acks).toEqual([]); // waiting for the turn of the loop
    h.tick();
    expect(h.acks.map((a) => a.topic)).toEqual(['a', 'b']);
  });

  it('a failed batch acks every message with an error, and later batches still work', () => {
    const h = harness(2, (batch) => batch.some((m) => m.topic === 'bad'));
    h.add('x');
    h.add('bad'); // fills the batch -> flush -> fails
    h.add('y');
    h.tick();
    expect(h.acks).toEqual([
      { topic: 'x', ok: false },
      { topic: 'bad', ok: false },
      { topic: 'y', ok: true },
    ]);
    expect(h.batcher.size).toBe(0);
  });
});
