// Server-Sent Events framing for /api/live.
import { describe, expect, it } from 'vitest';
import { sseComment, sseMessage } from '../../central/routes/live/sse-message.ts';

describe('sseMessage', () => {
  it.each([
    [
      'object',
      'incident',
      { id: 'evt_1', created: true },
      'event: incident\ndata: {"id":"evt_1","created":true}\n\n',
    ],
    ['null', 'x', null, 'event: x\ndata: null\n\n'],
    ['undefined becomes null', 'x', undefined, 'event: x\ndata: null\n\n'],
    ['newline inside a string stays escaped in JSON', 'x', 'a\nb', 'event: x\ndata: "a\\nb"\n\n'],
  ])('%s', (_name, event, data, expected) => {
    expect(sseMessage(event, data)).toBe(expected);
  });
  it('refuses an event name that would inject a field', () => {
    expect(() => sseMessage('incident\ndata: x', {})).toThrow(/one line/);
  });
});

describe('sseComment', () => {
  it.each([
    ['heartbeat', ': heartbeat\n\n'],
    ['two\nlines', ': two lines\n\n'],
  ])('%s', (text, expected) => {
    expect(sseComment(text)).toBe(expected);
  });
});
