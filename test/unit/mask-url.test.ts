import { describe, expect, it } from 'vitest';
import { maskArgs, maskUrl } from '../../lib/mask-url.ts';

describe('maskUrl', () => {
  it.each([
    ['rtsp://admin:secret@10.0.0.5:554/stream1', 'rtsp://admin:***@10.0.0.5:554/stream1'],
    ['rtsp://admin:p@ss@10.0.0.5/s', 'rtsp://admin:***@10.0.0.5/s'],
    ['rtsp://admin:p%40ss@cam/s', 'rtsp://admin:***@cam/s'],
    ['rtsp://user@cam/s', 'rtsp://user@cam/s'],
    ['rtsp://cam/s?x=a@b', 'rtsp://cam/s?x=a@b'],
    ['mqtts://edge:tok:en@broker:8883', 'mqtts://edge:***@broker:8883'],
    [
      'error opening rtsp://a:b@h/x: 401 Unauthorized, retry rtsp://c:d@h2/y',
      'error opening rtsp://a:***@h/x: 401 Unauthorized, retry rtsp://c:***@h2/y',
    ],
    ['no url here', 'no url here'],
    ['', ''],
  ])('%s', (input, expected) => {
    expect(maskUrl(input)).toBe(expected);
    expect(maskUrl(input)).not.toMatch(/secret|p@ss|tok:en/);
  });

  it('masks every argument of a command line', () => {
    expect(maskArgs(['-i', 'rtsp://u:pw@h/s', '-f', 'null'])).toEqual([
      '-i',
      'rtsp://u:***@h/s',
      '-f',
      'null',
    ]);
  });
});
