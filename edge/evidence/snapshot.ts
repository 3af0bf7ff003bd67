// Full-resolution snapshots: grab the frame at a wall-clock time from ring segments, encode clean and annotated JPEGs.
import sharp from 'sharp';
import { type Annotation, annotationSvg } from './annotation-svg.ts';
import type { TimedSegment } from './clip-plan.ts';
import { runFfmpeg } from './run-ffmpeg.ts';

/** PNG of the decoded frame at atMs (the detector only saw a model-sized copy; this is the camera's resolution). */
export async function grabFrame(
  segments: readonly TimedSegment[],
  atMs: number,
  timeoutMs = 30_000,
): Promise<Buffer> {
  const sorted = [...segments].sort((a, b) => a.startMs - b.startMs);
  const i = sorted.findIndex((s) => s.startMs <= atMs && atMs < s.endMs);
  if (i < 0) throw new Error(`no ring segment holds ${new Date(atMs).toISOString()}`);
  // One segment suffices: each starts on a keyframe, so decoding from its start reaches any frame in it.
  const seg = sorted[i]!;
  const seekS = Math.max(0, (atMs - seg.startMs) / 1000);
  return runFfmpeg(
    'ffmpeg',
    // Output-side seek: decodes from the segment's first keyframe and stops at the exact frame (an input
    // seek in MPEG-TS has no index and can land a keyframe late).
    [
      '-v',
      'error',
      '-i',
      seg.file,
      '-ss',
      seekS.toFixed(3),
      '-frames:v',
      '1',
      '-f',
      'image2pipe',
      '-c:v',
      'png',
      '-',
    ],
    timeoutMs,
  );
}

export interface SnapshotPair {
  clean: Buffer;
  annotated: Buffer;
  width: number;
  height: number;
}

/** Encodes the frame as a clean JPEG and an annotated one (SVG overlay composited by sharp). */
export async function renderSnapshots(
  frame: Buffer,
  annotation: Omit<Annotation, 'width' | 'height'>,
  jpegQuality: number,
): Promise<SnapshotPair> {
  const img = sharp(frame);
  const { width, height } = await img.metadata();
  if (!width || !height) throw new Error('snapshot frame has no size');
  const clean = await img.clone().jpeg({ quality: jpegQuality, mozjpeg: false }).toBuffer();
  const svg = annotationSvg({ ...annotation, width, height });
  const annotated = await img
    .clone()
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg({ quality: jpegQuality })
    .toBuffer();
  return { clean, annotated, width, height };
}
