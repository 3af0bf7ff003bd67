// Parses one line of ffmpeg stderr (run with -loglevel level+info): a showinfo frame record or a levelled message.
export type FfmpegLogLevel = 'panic' | 'fatal' | 'error' | 'warning' | 'info' | 'verbose' | 'debug' | 'trace';

/** One showinfo record: output frame n of the filter (after sampling), its stream time and source size. */
export interface FrameInfo {
  kind: 'frame';
  n: number;
  /** Stream time in seconds; NaN when the frame had no timestamp. */
  ptsS: number;
  width: number;
  height: number;
}

export interface LogMessage {
  kind: 'log';
  level: FfmpegLogLevel;
  /** "[rtsp @ 0x...]" context without the pointer, e.g. "rtsp"; empty for ffmpeg's own messages. */
  context: string;
  text: string;
}

const LEVELED = /^((?:\[[^\]]*\] )*?)\[(panic|fatal|error|warning|info|verbose|debug|trace)\] ?(.*)$/;
const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*(\S+)\s+pts_time:\s*(\S+).*?\bs:(\d+)x(\d+)/;

export function parseFfmpegLine(line: string): FrameInfo | LogMessage | undefined {
  const text = line.trimEnd();
  if (!text) return undefined;
  const m = LEVELED.exec(text);
  if (!m) return { kind: 'log', level: 'info', context: '', text };
  const contexts = m[1] ?? '';
  const body = m[3] ?? '';
  if (contexts.includes('showinfo')) {
    const f = SHOWINFO.exec(body);
    if (!f) return undefined; // showinfo's colour/side-data lines: nothing we need
    return {
      kind: 'frame',
      n: Number(f[1]),
      ptsS: Number(f[3]),
      width: Number(f[4]),
      height: Number(f[5]),
    };
  }
  // The innermost context names the component that spoke ("[swscaler @ 0x..] [swscaler @ 0x..]" -> swscaler).
  const ctx = /\[([^\]@]+?)\s*@[^\]]*\] $/.exec(contexts)?.[1] ?? '';
  return { kind: 'log', level: m[2] as FfmpegLogLevel, context: ctx, text: body };
}
