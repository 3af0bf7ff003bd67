// Camera credentials never on ffmpeg's command line: which URLs go through the ffconcat pipe, and the list itself.
import { describe, expect, it } from 'vitest';
import { concatList, hasCredentials } from '../../edge/ingest/credential-input.ts';
import { ffmpegArgs, inputArgs, inputLists } from '../../edge/ingest/ffmpeg-args.ts';

describe('hasCredentials', () => {
  it.each([
    ['rtsp://admin:pw@cam/stream', true],
    ['rtsp://admin@cam/stream', true],
    ['rtsps://u:p%40ss@10.0.0.2:322/s', true],
    ['http://u:p@cam/video.m3u8', true],
    ['rtsp://cam/stream', false],
    ['rtsp://cam/path@with-at', false], // the '@' is in the path, not the authority
    ['rtsp://cam/s?user=a@b', false],
    ['/clips/a.mp4', false],
    ['', false],
  ])('%s -> %s', (url, expected) => {
    expect(hasCredentials(url)).toBe(expected);
  });
});

describe('concatList', () => {
  it.each([
    [
      'plain',
      'rtsp://admin:pw@cam/s',
      [['rtsp_transport', 'tcp'] as [string, string]],
      "ffconcat version 1.0\nfile 'rtsp://admin:pw@cam/s'\noption rtsp_transport tcp\n",
    ],
    [
      'a quote in the password',
      "rtsp://a:p'w@c/s",
      [],
      "ffconcat version 1.0\nfile 'rtsp://a:p'\\''w@c/s'\n",
    ],
    ['spaces and backslashes stay literal', 'rtsp://a:p w\\x@c/s', [], "file 'rtsp://a:p w\\x@c/s'"],
  ])('%s', (_n, url, opts, expected) => {
    expect(concatList(url, opts)).toContain(expected);
  });

  it.each([
    ['a line break in the URL', 'rtsp://a:b@c/s\nfile /etc/passwd', []],
    ['an option value with a space', 'rtsp://a:b@c/s', [['timeout', '1 2'] as [string, string]]],
  ])('refuses %s', (_n, url, opts) => {
    expect(() => concatList(url, opts)).toThrow(/MATTHAN_ERR_SOURCE/);
  });
});

describe('inputArgs with a list pipe', () => {
  const rtsp = { input: 'rtsp://admin:Sup3r@cam/s', isFile: false, isRtsp: true };
  const base = { source: rtsp, transport: 'udp' as const, realtime: true, loop: false };

  it('reads a URL with credentials from the pipe: nothing secret in the arguments', () => {
    const o = { ...base, listFd: 4 };
    const args = inputArgs(o);
    expect(args.join(' ')).not.toContain('Sup3r');
    expect(args.slice(-8)).toEqual([
      '-f',
      'concat',
      '-safe',
      '0',
      '-protocol_whitelist',
      'async,pipe,tcp,udp,rtp,srtp,tls,http,https,httpproxy,crypto,hls',
      '-i',
      'async:pipe:4',
    ]);
    // The RTSP demuxer's options moved into the list with the URL.
    expect(args).not.toContain('-rtsp_transport');
    expect(inputLists(o)).toEqual([
      {
        fd: 4,
        text: "ffconcat version 1.0\nfile 'rtsp://admin:Sup3r@cam/s'\noption rtsp_transport udp\noption timeout 5000000\noption fflags nobuffer\n",
      },
    ]);
  });

  it('gives the substream and the main stream a pipe each when both carry credentials', () => {
    const o = {
      ...base,
      analysisSource: { input: 'rtsp://admin:Sub5tr@cam/sub', isFile: false, isRtsp: true },
      listFd: 4,
      spec: {
        width: 416,
        height: 416,
        pixelFormat: 'bgr24' as const,
        fit: 'letterbox-topleft' as const,
        padValue: 114,
      },
      fps: 5,
      ring: { pattern: '/r/%06d.ts', segmentS: 2, codec: 'h264' },
    };
    const args = ffmpegArgs(o);
    expect(args.join(' ')).not.toMatch(/Sup3r|Sub5tr/);
    expect(args.filter((a) => a.startsWith('async:pipe:'))).toEqual(['async:pipe:4', 'async:pipe:5']);
    expect(inputLists(o).map((l) => [l.fd, l.text.split('\n')[1]])).toEqual([
      [4, "file 'rtsp://admin:Sub5tr@cam/sub'"],
      [5, "file 'rtsp://admin:Sup3r@cam/s'"],
    ]);
    // Only the main stream with credentials: it gets the first pipe.
    const plainSub = { ...o, analysisSource: { input: 'rtsp://cam/sub', isFile: false, isRtsp: true } };
    expect(ffmpegArgs(plainSub).filter((a) => a.startsWith('async:pipe:'))).toEqual(['async:pipe:4']);
    expect(inputLists(plainSub).map((l) => l.fd)).toEqual([4]);
  });

  it.each([
    ['no pipe offered', { ...base }],
    ['no credentials', { ...base, source: { ...rtsp, input: 'rtsp://cam/s' }, listFd: 4 }],
    ['a file', { ...base, source: { input: '/a@b.mp4', isFile: true, isRtsp: false }, listFd: 4 }],
  ])('keeps the URL on the command line with %s', (_n, o) => {
    expect(inputLists(o)).toEqual([]);
    expect(inputArgs(o).at(-1)).toBe(o.source.input);
  });
});
