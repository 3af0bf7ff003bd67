import { describe, expect, it } from 'vitest';
import { CameraStatusStore } from '../../central/store/camera-status-store.ts';
import { openDatabase } from '../../central/store/database.ts';
import type { StatusMessage } from '../../contract/index.ts';

const status = (state: 'online' | 'offline', ts: number, reason?: string): StatusMessage => ({
  schemaVersion: 1,
  site: 's1',
  camera: '_edge',
  state,
  ts,
  ...(reason ? { reason } : {}),
});

describe('CameraStatusStore.record', () => {
  it.each([
    [
      'newer wins',
      [
        [status('online', 100), 0],
        [status('offline', 200, 'x'), 0],
      ],
      'offline',
      200,
    ],
    [
      'older is ignored (out-of-order redelivery)',
      [
        [status('offline', 200, 'x'), 0],
        [status('online', 100), 0],
      ],
      'offline',
      200,
    ],
    [
      'a last will (ts 0) after heartbeats takes effect at its receive time',
      [
        [status('online', 1_000), 0],
        [status('offline', 0, 'will'), 5_000],
      ],
      'offline',
      5_000,
    ],
    [
      'the box back online after its will',
      [
        [status('offline', 0, 'will'), 5_000],
        [status('online', 6_000), 0],
      ],
      'online',
      6_000,
    ],
  ] as [string, [StatusMessage, number][], string, number][])('%s', (_n, sequence, state, ts) => {
    const store = new CameraStatusStore(openDatabase(':memory:'));
    for (const [s, receivedAt] of sequence) store.record(s, receivedAt || undefined);
    const [latest] = store.list();
    expect(latest?.state).toBe(state);
    expect(latest?.ts).toBe(ts);
  });
});
