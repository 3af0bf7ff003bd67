// When the edge re-sends an event central has not acknowledged: backoff per send, and gap detection.
import { describe, expect, it } from 'vitest';
import { isLikelyDropped, resendDelayMs } from '../../edge/publish/resend-policy.ts';

describe('resendDelayMs', () => {
  it.each([
    [1, 30_000, 600_000, 30_000],
    [2, 30_000, 600_000, 60_000],
    [5, 30_000, 600_000, 480_000],
    [6, 30_000, 600_000, 600_000],
    [10_000, 30_000, 600_000, 600_000],
    [0, 30_000, 600_000, 30_000], // degenerate: treated as the first send
    [3, 1_000, 500, 500], // a cap below the timeout wins
  ])('after send %i (timeout %i, max %i): %i ms', (sends, timeout, max, expected) => {
    expect(resendDelayMs(sends, timeout, max)).toBe(expected);
  });
});

describe('isLikelyDropped', () => {
  const acked = { seq: 10, lastSendMs: 1000 };
  it.each([
    ['older, sent before, taken by the broker', { seq: 5, lastSendMs: 900, pubacked: true }, true],
    ['sent at the same instant', { seq: 5, lastSendMs: 1000, pubacked: true }, true],
    ['re-sent after the acked one', { seq: 5, lastSendMs: 1100, pubacked: true }, false],
    ['not yet taken by the broker', { seq: 5, lastSendMs: 900, pubacked: false }, false],
    ['newer than the acked one', { seq: 11, lastSendMs: 900, pubacked: true }, false],
    ['the acked one itself', { seq: 10, lastSendMs: 1000, pubacked: true }, false],
  ])('%s', (_n, entry, expected) => {
    expect(isLikelyDropped(entry, acked)).toBe(expected);
  });
});
