// Table tests: parsing ffmpeg stderr lines printed with -loglevel level+info (showinfo frames and messages).
import { describe, expect, it } from 'vitest';
import { parseFfmpegLine } from '../../edge/ingest/ffmpeg-log-line.ts';

describe('parseFfmpegLine', () => {
  it.each([
    [
      'showinfo frame',
      '[Parsed_showinfo_1 @ 0x55e3] [info] n:   0 pts:      0 pts_time:0       pos:       32 fmt:yuvj420p sar:0/1 s:1920x1080 i:P iskey:1 type:I ',
      { kind: 'frame', n: 0, ptsS: 0, width: 1920, height: 1080 },
    ],
    [
      'showinfo frame with fractional time',
      '[Parsed_showinfo_1 @ 0x5646] [info] n:  34 pts: 614994 pts_time:6.83327 pos:  2767552 fmt:yuv420p sar:1/1 s:640x360 i:P iskey:0 type:P ',
      { kind: 'frame', n: 34, ptsS: 6.83327, width: 640, height: 360 },
    ],
    [
      'showinfo frame without timestamp',
      '[Parsed_showinfo_1 @ 0x1] [info] n:   3 pts:NOPTS pts_time:NOPTS pos: -1 fmt:yuvj422p sar:1/1 s:1280x720 i:P iskey:1 type:I',
      { kind: 'frame', n: 3, ptsS: Number.NaN, width: 1280, height: 720 },
    ],
    [
      'rtsp error with context',
      '[rtsp @ 0x55c07458b280] [error] method DESCRIBE failed: 401 Unauthorized',
      { kind: 'log', level: 'error', context: 'rtsp', text: 'method DESCRIBE failed: 401 Unauthorized' },
    ],
    [
      'nested contexts name the inner component',
      '[swscaler @ 0x1] [swscaler @ 0x2] [warning] deprecated pixel format used, make sure you did set range correctly',
      {
        kind: 'log',
        level: 'warning',
        context: 'swscaler',
        text: 'deprecated pixel format used, make sure you did set range correctly',
      },
    ],
    [
      'ffmpeg own message without context',
      '[error] rtsp://u:***@127.0.0.1:1/cam: Connection refused',
      { kind: 'log', level: 'error', context: '', text: 'rtsp://u:***@127.0.0.1:1/cam: Connection refused' },
    ],
    [
      'unlevelled line',
      'Conversion failed!',
      { kind: 'log', level: 'info', context: '', text: 'Conversion failed!' },
    ],
  ])('%s', (_name, line, expected) => {
    expect(parseFfmpegLine(line)).toEqual(expected);
  });

  it.each([
    ['empty line', ''],
    ['whitespace', '   '],
    ['showinfo colour line', '[Parsed_showinfo_1 @ 0x55e3] [info]   color_range:pc color_space:bt470bg'],
  ])('ignores %s', (_name, line) => {
    expect(parseFfmpegLine(line)).toBeUndefined();
  });
});
