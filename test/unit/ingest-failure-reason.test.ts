// Table tests: ffmpeg/ffprobe error lines (as ffmpeg 5.1 prints them) -> the reason an operator sees.
import { describe, expect, it } from 'vitest';
import { classifyFailure, type FailureKind, formatReason } from '../../edge/ingest/failure-reason.ts';

describe('classifyFailure for an RTSP camera', () => {
  it.each<[string, string[], FailureKind, string]>([
    [
      'a port that accepts and never answers RTSP',
      ['pipe:4: Invalid data found when processing input'],
      'unreachable',
      'gave no RTSP answer within the timeout (pipe:4: Invalid data found when processing input)',
    ],
    [
      'a real RTSP error still wins',
      ['rtsp: method DESCRIBE failed: 401 Unauthorized', 'pipe:4: Invalid data found when processing input'],
      'unauthorised',
      'rtsp: method DESCRIBE failed: 401 Unauthorized',
    ],
    [
      'a codec problem after DESCRIBE stays a codec problem',
      ['Could not find codec parameters for stream 0 (Video: none): unknown codec'],
      'unsupported codec',
      'Could not find codec parameters',
    ],
    ['nothing at all', [], 'ffmpeg error', 'ffmpeg exited'],
  ])('%s', (_n, lines, kind, detail) => {
    const r = classifyFailure(lines, undefined, { rtsp: true });
    expect(r.kind).toBe(kind);
    expect(r.detail).toContain(detail);
  });
});

describe('classifyFailure', () => {
  it.each<[string, string[], FailureKind]>([
    ['RTSP 401', ['rtsp: method DESCRIBE failed: 401 Unauthorized'], 'unauthorised'],
    [
      'RTSP 401, final line',
      ['rtsp://admin:***@127.0.0.1:8554/cam: Server returned 401 Unauthorized (authorization failed)'],
      'unauthorised',
    ],
    [
      'HTTP 403',
      ['https://cam.example/stream: Server returned 403 Forbidden (access denied)'],
      'unauthorised',
    ],
    ['RTSP 404', ['rtsp: method DESCRIBE failed: 404 Not Found'], 'not found'],
    [
      'HTTP 404',
      ['http: HTTP error 404 Not Found', 'http://x/y.m3u8: Server returned 404 Not Found'],
      'not found',
    ],
    ['missing file', ['/data/clip.mp4: No such file or directory'], 'not found'],
    [
      'port closed',
      [
        'tcp: Connection to tcp://127.0.0.1:1?timeout=0 failed: Connection refused',
        'rtsp://127.0.0.1:1/cam: Connection refused',
      ],
      'unreachable',
    ],
    ['no answer', ['tcp: Connection to tcp://10.9.9.9:554 failed: Connection timed out'], 'unreachable'],
    [
      'bad host name',
      ['tcp: Failed to resolve hostname cam.invalid: Name or service not known'],
      'unreachable',
    ],
    ['no route', ['tcp: Connection to tcp://10.0.0.2:554 failed: No route to host'], 'unreachable'],
    ['decoder missing', ['Decoder (codec none) not found for input stream #0:0'], 'unsupported codec'],
    ['not a video', ['/tmp/notes.txt: Invalid data found when processing input'], 'unsupported codec'],
    [
      'not an mp4 inside',
      [
        'mov,mp4,m4a,3gp,3g2,mj2: moov atom not found',
        '/tmp/notes.mp4: Invalid data found when processing input',
      ],
      'unsupported codec',
    ],
    [
      'codec parameters',
      ['Could not find codec parameters for stream 0 (Video: none): unknown codec'],
      'unsupported codec',
    ],
    [
      'the specific cause beats the generic last line',
      [
        'rtsp: method DESCRIBE failed: 401 Unauthorized',
        'rtsp://u:***@h/cam: Invalid data found when processing input',
      ],
      'unauthorised',
    ],
    ['nothing recognisable', ['something odd happened'], 'ffmpeg error'],
    ['no lines at all', [], 'ffmpeg error'],
  ])('%s', (_name, lines, kind) => {
    expect(classifyFailure(lines).kind).toBe(kind);
  });

  it('keeps the deciding line as the detail, and uses the fallback when there are no lines', () => {
    expect(classifyFailure(['a', 'rtsp: method DESCRIBE failed: 404 Not Found', 'b']).detail).toBe(
      'rtsp: method DESCRIBE failed: 404 Not Found',
    );
    expect(classifyFailure([], 'ffmpeg exited (code 1)').detail).toBe('ffmpeg exited (code 1)');
  });
});

describe('formatReason', () => {
  it.each([
    [{ kind: 'unreachable' as const, detail: 'Connection refused' }, 'unreachable: Connection refused'],
    [{ kind: 'stalled' as const, detail: '' }, 'stalled'],
  ])('%j -> %s', (r, text) => {
    expect(formatReason(r)).toBe(text);
  });

  it('caps the reason at the status message limit of 256 characters', () => {
    const text = formatReason({ kind: 'ffmpeg error', detail: 'x'.repeat(1000) });
    expect(text.length).toBe(256);
    expect(text.endsWith('...')).toBe(true);
  });
});
