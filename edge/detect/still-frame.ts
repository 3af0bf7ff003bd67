// Decodes a still image into a detector Frame through the same ffmpeg filter graph live ingest uses (tests, bench, CLI).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { frameFilter } from '../ingest/ffmpeg-args.ts';
import { contentRect, type Frame, type FrameSpec } from '../ingest/frame.ts';
import { probeVideo } from '../ingest/probe.ts';

const run = promisify(execFile);

export interface StillFrameOptions {
  cameraId?: string;
  /**
   * swscale flags replacing the live graph's (fast_bilinear). fast_bilinear interpolates between two
   * neighbouring pixels only, so on a strong downscale (a 2380 px photo to 416 is 5.7x) it samples rather than
   * averages and small objects alias; `bilinear` widens its taps with the scale factor, like the standard
   * resizes reference numbers are made with.
   */
  scaleFlags?: string;
}

export async function stillFrame(
  file: string,
  spec: FrameSpec,
  opts: StillFrameOptions = {},
): Promise<Frame> {
  const { width, height } = await probeVideo(file);
  const content = contentRect(spec, width, height);
  let filter = frameFilter(spec, content, 1);
  if (opts.scaleFlags) {
    const replaced = filter.replace(/(scale=[^,]*:flags=)[a-z_+]+/, `$1${opts.scaleFlags}`);
    if (replaced === filter && !filter.includes(`flags=${opts.scaleFlags}`))
      throw new Error(`stillFrame: no scale flags to replace in the filter graph ${filter}`);
    filter = replaced;
  }
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    // A looped still is a constant-rate stream, so the fps filter of the live graph yields its first frame
    // (a lone image frame is dropped by fps at end of stream).
    '-loop',
    '1',
    '-i',
    file,
    '-frames:v',
    '1',
    '-vf',
    filter,
    '-f',
    'rawvideo',
    '-pix_fmt',
    spec.pixelFormat,
    'pipe:1',
  ];
  const expected = spec.width * spec.height * 3;
  const { stdout } = await run('ffmpeg', args, { encoding: 'buffer', maxBuffer: expected + 1024 });
  if (stdout.length !== expected) {
    throw new Error(
      `ffmpeg gave ${stdout.length} B for ${file}, expected one ${spec.width}x${spec.height} frame`,
    );
  }
  return {
    cameraId: opts.cameraId ?? 'still',
    seq: 0,
    tsMs: 0,
    spec,
    content,
    sourceWidth: width,
    sourceHeight: height,
    data: stdout,
  };
}
