// Decodes frames of a video file into detector Frames through the production filter graph (tests, bench).
import { spawn } from 'node:child_process';
import { frameFilter } from '../ingest/ffmpeg-args.ts';
import { contentRect, type Frame, type FrameSpec } from '../ingest/frame.ts';
import { probeVideo } from '../ingest/probe.ts';

/** Up to `count` frames of `file`, sampled at `fps` from the start, scaled and padded to `spec`. */
export async function clipFrames(file: string, spec: FrameSpec, count: number, fps = 2): Promise<Frame[]> {
  const { width, height } = await probeVideo(file);
  const content = contentRect(spec, width, height);
  const args = [
    '-v',
    'error',
    '-i',
    file,
    '-vf',
    frameFilter(spec, content, fps),
    '-frames:v',
    String(count),
  ];
  args.push('-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', spec.pixelFormat, 'pipe:1');
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  for await (const c of child.stdout) chunks.push(c as Buffer);
  const all = Buffer.concat(chunks);
  const size = spec.width * spec.height * 3;
  const frames: Frame[] = [];
  for (let i = 0; i + size <= all.length; i += size) {
    frames.push({
      cameraId: 'clip',
      seq: frames.length,
      tsMs: Math.round((frames.length * 1000) / fps),
      spec,
      content,
      sourceWidth: width,
      sourceHeight: height,
      data: Buffer.from(all.subarray(i, i + size)),
    });
  }
  if (frames.length === 0) throw new Error(`no frames from ${file}`);
  return frames;
}
