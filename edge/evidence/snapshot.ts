// Full-resolution snapshots: grab frames at wall-clock times from a ring segment (one decode for several
// events), encode clean and annotated JPEGs.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { type Annotation, annotationSvg } from './annotation-svg.ts';
import type { TimedSegment } from './clip-plan.ts';
import { runFfmpeg } from './run-ffmpeg.ts';

/** A decoded frame: 8-bit RGB, rows top to bottom. */
export interface RgbFrame {
  width: number;
  height: number;
  data: Buffer;
}

/** Parses a binary PPM (P6, maxval 255) as ffmpeg's ppm encoder writes it: "P6\n<w> <h>\n255\n" + RGB. */
export function parsePpm(buf: Buffer): RgbFrame {
  const head = buf.subarray(0, 64).toString('latin1');
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(head);
  if (!m) throw new Error('snapshot frame is not a P6 PPM with maxval 255');
  const width = Number(m[1]);
  const height = Number(m[2]);
  const data = buf.subarray(m[0].length);
  if (data.length < width * height * 3) throw new Error(`snapshot frame truncated (${data.length} bytes)`);
  return { width, height, data: data.subarray(0, width * height * 3) };
}

/**
 * The frames at each of atMs, all inside one segment, from a single decode: one ffmpeg output per time, each
 * with an output-side seek (the decoder runs once from the segment's first keyframe to the latest time; an
 * input seek in MPEG-TS has no index and can land a keyframe late). PPM, not PNG: ffmpeg's PNG encoder costs
 * more than the decode of the frames before the seek, and sharp takes raw RGB without another decode.
 */
export async function grabFrames(
  segment: TimedSegment,
  atMs: readonly number[],
  tmpDir: string,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<RgbFrame[]> {
  for (const t of atMs)
    if (t < segment.startMs || t >= segment.endMs)
      throw new Error(`segment ${path.basename(segment.file)} does not hold ${new Date(t).toISOString()}`);
  const dir = mkdtempSync(path.join(tmpDir, '.grab-'));
  try {
    const args = ['-v', 'error', '-i', segment.file];
    atMs.forEach((t, i) => {
      const seekS = Math.max(0, (t - segment.startMs) / 1000);
      args.push('-map', '0:v:0', '-ss', seekS.toFixed(3), '-frames:v', '1', '-update', '1');
      args.push('-c:v', 'ppm', '-f', 'image2', path.join(dir, `${i}.ppm`));
    });
    await runFfmpeg('ffmpeg', args, opts.timeoutMs ?? 30_000, opts.signal);
    const files = atMs.map((_, i) => path.join(dir, `${i}.ppm`));
    if (files.some((f) => !existsSync(f))) {
      // The seek went past the segment's last frame: its listed times span more than its packets (a run's
      // first segment, joined mid-GOP, starts at the first keyframe). The nearest frame is the last one: decode
      // the segment once, overwriting one image per frame.
      const last = path.join(dir, 'last.ppm');
      await runFfmpeg(
        'ffmpeg',
        [
          '-v',
          'error',
          '-i',
          segment.file,
          '-map',
          '0:v:0',
          '-update',
          '1',
          '-c:v',
          'ppm',
          '-f',
          'image2',
          last,
        ],
        opts.timeoutMs ?? 30_000,
        opts.signal,
      );
      for (const f of files) if (!existsSync(f)) copyFileSync(last, f);
    }
    return files.map((f) => parsePpm(readFileSync(f)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SnapshotPair {
  clean: Buffer;
  annotated: Buffer;
  width: number;
  height: number;
}

/** Encodes the frame as a clean JPEG and an annotated one (SVG overlay composited by sharp). */
export async function renderSnapshots(
  frame: RgbFrame,
  annotation: Omit<Annotation, 'width' | 'height'>,
  jpegQuality: number,
): Promise<SnapshotPair> {
  const { width, height } = frame;
  const img = sharp(frame.data, { raw: { width, height, channels: 3 } });
  const clean = await img.clone().jpeg({ quality: jpegQuality, mozjpeg: false }).toBuffer();
  const svg = annotationSvg({ ...annotation, width, height });
  const annotated = await img
    .clone()
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg({ quality: jpegQuality })
    .toBuffer();
  return { clean, annotated, width, height };
}
