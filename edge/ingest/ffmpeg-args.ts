// Builds the ffmpeg command line: sample to the target fps first, then scale+pad to the model input in the graph.
import type { ContentRect, FrameSpec } from './frame.ts';
import type { ResolvedSource } from './source-url.ts';

export interface FfmpegInputOptions {
  source: ResolvedSource;
  transport: 'tcp' | 'udp';
  realtime: boolean;
  loop: boolean;
}

export function inputArgs(o: FfmpegInputOptions): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostats'];
  if (o.source.isRtsp) args.push('-rtsp_transport', o.transport, '-timeout', '5000000');
  if (o.source.isFile && o.realtime) args.push('-re');
  if (o.source.isFile && o.loop) args.push('-stream_loop', '-1');
  args.push('-i', o.source.input);
  return args;
}

/** fps before scale, so dropped frames are never scaled; fast_bilinear is the cheapest scaler that looks right. */
export function frameFilter(spec: FrameSpec, content: ContentRect, fps: number): string {
  const parts = [`fps=${fps}`, `scale=${content.width}:${content.height}:flags=fast_bilinear`];
  if (content.width !== spec.width || content.height !== spec.height) {
    const hex = spec.padValue.toString(16).padStart(2, '0');
    parts.push(`pad=${spec.width}:${spec.height}:${content.x}:${content.y}:color=0x${hex}${hex}${hex}`);
  }
  parts.push(`format=${spec.pixelFormat}`);
  return parts.join(',');
}

export function frameOutputArgs(spec: FrameSpec, content: ContentRect, fps: number): string[] {
  return [
    '-an',
    '-sn',
    '-dn',
    '-vf',
    frameFilter(spec, content, fps),
    '-f',
    'rawvideo',
    '-pix_fmt',
    spec.pixelFormat,
    'pipe:1',
  ];
}
