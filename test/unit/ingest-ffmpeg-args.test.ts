// Table tests: the ffmpeg command line per source kind, the sampling/scaling graph per fit, and the ring output.
import { describe, expect, it } from 'vitest';
import {
  ffmpegArgs,
  inputArgs,
  liveFrameFilter,
  ringOutputArgs,
  sampler,
} from '../../edge/ingest/ffmpeg-args.ts';
import { contentRect, type FrameSpec } from '../../edge/ingest/frame.ts';

const rtsp = { input: 'rtsp://u:p@cam/stream', isFile: false, isRtsp: true };
const http = { input: 'http://cam/video.m3u8', isFile: false, isRtsp: false };
const file = { input: '/clips/a.mp4', isFile: true, isRtsp: false };
const spec = (fit: FrameSpec['fit']): FrameSpec => ({
  width: 416,
  height: 416,
  pixelFormat: 'bgr24',
  fit,
  padValue: 114,
});

/** The flags that precede -i, as "name value" strings. */
const flags = (args: string[]) => {
  const out: string[] = [];
  for (let i = 0; i < args.indexOf('-i'); i++)
    if (args[i]!.startsWith('-') && !['-hide_banner', '-nostats', '-re'].includes(args[i]!))
      out.push(`${args[i]} ${args[i + 1]}`);
    else if (args[i] === '-re') out.push('-re');
  return out;
};

describe('inputArgs', () => {
  it.each([
    [
      'rtsp over tcp',
      { source: rtsp, transport: 'tcp', realtime: true, loop: false },
      [
        '-loglevel level+info',
        '-rtsp_transport tcp',
        '-timeout 5000000',
        '-fflags nobuffer',
        '-flags low_delay',
        '-threads 1',
      ],
    ],
    [
      'rtsp over udp',
      { source: rtsp, transport: 'udp', realtime: true, loop: false },
      [
        '-loglevel level+info',
        '-rtsp_transport udp',
        '-timeout 5000000',
        '-fflags nobuffer',
        '-flags low_delay',
        '-threads 1',
      ],
    ],
    [
      'http/hls: timeout, no nobuffer',
      { source: http, transport: 'tcp', realtime: true, loop: false },
      ['-loglevel level+info', '-rw_timeout 5000000', '-flags low_delay', '-threads 1'],
    ],
    [
      'file in real time',
      { source: file, transport: 'tcp', realtime: true, loop: true },
      ['-loglevel level+info', '-re', '-threads 1'],
    ],
    [
      'file flat out',
      { source: file, transport: 'tcp', realtime: false, loop: false },
      ['-loglevel level+info', '-threads 1'],
    ],
  ] as const)('%s', (_name, o, expected) => {
    const args = inputArgs(o);
    expect(flags(args)).toEqual(expected);
    expect(args.at(-1)).toBe(o.source.input);
    expect(args).not.toContain('-stream_loop'); // FfmpegSource loops by restarting (keeps the ring alive)
  });
});

describe('frame graph', () => {
  it.each([
    [5, "select='isnan(t)+isnan(prev_selected_t)+gt(floor(t*5),floor(prev_selected_t*5))'"],
    [0.5, "select='isnan(t)+isnan(prev_selected_t)+gt(floor(t*0.5),floor(prev_selected_t*0.5))'"],
  ])('samples %d fps by slots of stream time', (fps, filter) => {
    expect(sampler(fps)).toBe(filter);
  });

  it.each([
    ['letterbox-topleft', ['select', 'showinfo', 'scale', 'format', 'pad'], ':0:0:color=0x727272'],
    ['letterbox-center', ['select', 'showinfo', 'scale', 'format', 'pad'], "'floor((ow-iw)/2)'"],
    ['stretch', ['select', 'showinfo', 'scale', 'format'], 'scale=416:416:flags=fast_bilinear'],
  ] as const)('%s: sample, then scale with the format conversion, then pad', (fit, order, detail) => {
    const graph = liveFrameFilter(spec(fit), 5);
    // Split on the commas between filters (not those inside quoted expressions).
    const names = graph.match(/(?:^|,)([a-z_]+)=/g)!.map((m) => m.replace(/[,=]/g, ''));
    expect(names).toEqual(order);
    expect(graph).toContain(detail);
    expect(graph).toContain('flags=fast_bilinear');
    expect(graph).toContain('format=bgr24');
  });

  it('puts the frames on stdout as raw video, one output frame per sampled frame', () => {
    const args = ffmpegArgs({
      source: file,
      transport: 'tcp',
      realtime: false,
      loop: false,
      spec: spec('stretch'),
      fps: 5,
    });
    const out = args.slice(args.indexOf('-vf'));
    expect(out).toEqual(
      expect.arrayContaining(['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'bgr24', 'pipe:1']),
    );
    expect(args).not.toContain('segment');
  });
});

describe('ring output', () => {
  it.each([
    ['h264', 'h264_mp4toannexb'],
    ['hevc', 'hevc_mp4toannexb'],
  ])('%s is copied into MPEG-TS segments with %s, listed on fd 3', (codec, bsf) => {
    const args = ringOutputArgs({ pattern: '/d/ring/cam/1-1-%06d.ts', segmentS: 2, codec });
    expect(args).toEqual(expect.arrayContaining(['-c', 'copy', '-bsf:v', bsf, '-segment_time', '2']));
    expect(args).toEqual(expect.arrayContaining(['-segment_format', 'mpegts', '-segment_list', 'pipe:3']));
    expect(args.at(-1)).toBe('/d/ring/cam/1-1-%06d.ts');
  });

  it.each([['mjpeg'], ['vp9']])('refuses %s, which cannot be copied into MPEG-TS', (codec) => {
    expect(() => ringOutputArgs({ pattern: 'x-%06d.ts', segmentS: 2, codec })).toThrow(/MATTHAN_ERR_RING/);
  });
});

describe('contentRect', () => {
  it.each([
    ['1080p into 416 top-left', 'letterbox-topleft', 1920, 1080, { x: 0, y: 0, width: 416, height: 234 }],
    ['1080p into 416 centred', 'letterbox-center', 1920, 1080, { x: 0, y: 91, width: 416, height: 234 }],
    ['portrait into 416 centred', 'letterbox-center', 1080, 1920, { x: 91, y: 0, width: 234, height: 416 }],
    ['square source', 'letterbox-center', 500, 500, { x: 0, y: 0, width: 416, height: 416 }],
    ['stretch ignores aspect', 'stretch', 1920, 1080, { x: 0, y: 0, width: 416, height: 416 }],
    [
      'extreme panorama keeps 2 rows',
      'letterbox-topleft',
      100_000,
      10,
      { x: 0, y: 0, width: 416, height: 2 },
    ],
  ] as const)('%s', (_name, fit, w, h, rect) => {
    expect(contentRect(spec(fit), w, h)).toEqual(rect);
  });
});

describe('skipLoopFilter', () => {
  it.each([
    [true, true],
    [false, false],
    [undefined, false],
  ])('skipLoopFilter %s -> -skip_loop_filter all before -i: %s', (skip, present) => {
    const args = inputArgs({
      source: file,
      transport: 'tcp',
      realtime: false,
      loop: false,
      skipLoopFilter: skip,
    });
    const at = args.indexOf('-skip_loop_filter');
    expect(at >= 0).toBe(present);
    if (present) {
      expect(args[at + 1]).toBe('all');
      expect(at).toBeLessThan(args.indexOf('-i'));
    }
  });
});

describe('skipFrames and the analysis substream', () => {
  const ring = { pattern: '/r/%06d.ts', segmentS: 2, codec: 'h264' };
  const base = {
    transport: 'tcp' as const,
    realtime: true,
    loop: false,
    spec: spec('letterbox-topleft'),
    fps: 5,
  };
  /** Per input, in order: its URL and the decoder flags before its -i. */
  const inputs = (args: string[]) => {
    const out: { input: string; skip: string | undefined; loopFilter: boolean; re: boolean }[] = [];
    let from = 0;
    for (let i = 0; i < args.length; i++) {
      if (args[i] !== '-i') continue;
      const before = args.slice(from, i);
      const s = before.indexOf('-skip_frame');
      out.push({
        input: args[i + 1]!,
        skip: s >= 0 ? before[s + 1] : undefined,
        loopFilter: before.includes('-skip_loop_filter'),
        re: before.includes('-re'),
      });
      from = i + 2;
    }
    return out;
  };
  const maps = (args: string[]) => args.flatMap((a, i) => (a === '-map' ? [args[i + 1]] : []));
  it.each([
    [
      'none: no -skip_frame',
      { source: file, skipFrames: 'none' as const },
      [{ input: file.input, skip: undefined }],
      ['0:v:0'],
    ],
    [
      'bidir',
      { source: file, skipFrames: 'bidir' as const },
      [{ input: file.input, skip: 'bidir' }],
      ['0:v:0'],
    ],
    [
      'nokey with the ring: the ring still copies input 0',
      { source: file, skipFrames: 'nokey' as const, ring },
      [{ input: file.input, skip: 'nokey' }],
      ['0:v:0', '0:v:0'],
    ],
    [
      'substream without ring: only the substream is opened',
      { source: rtsp, analysisSource: file, skipFrames: 'bidir' as const },
      [{ input: file.input, skip: 'bidir' }],
      ['0:v:0'],
    ],
    [
      'substream with ring: decoder flags on the substream only, ring maps the main stream',
      { source: rtsp, analysisSource: file, skipFrames: 'nokey' as const, skipLoopFilter: true, ring },
      [
        { input: file.input, skip: 'nokey', loopFilter: true, re: true },
        { input: rtsp.input, skip: undefined, loopFilter: false, re: false },
      ],
      ['0:v:0', '1:v:0'],
    ],
  ])('%s', (_name, o, expectedInputs, expectedMaps) => {
    const args = ffmpegArgs({ ...base, ...o });
    const got = inputs(args);
    expect(got).toHaveLength(expectedInputs.length);
    for (const [i, e] of expectedInputs.entries()) expect(got[i]).toMatchObject(e);
    expect(maps(args)).toEqual(expectedMaps);
  });
});
