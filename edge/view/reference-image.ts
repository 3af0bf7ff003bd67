// Reads the configured reference picture (the one the geometry was drawn on) into a guard image, through the same
// scaling as the stream's frames, so the two differ only by how the camera moved.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { Frame } from '../ingest/frame.ts';
import { grayViewFromFrame, type ViewImage } from './view-image.ts';

const run = promisify(execFile);

/** How far the file's aspect may differ from the stream's (an encoder's crop of a few rows is fine). */
const MAX_ASPECT_MISMATCH = 0.02;

/**
 * Decodes `file` (JPEG, PNG...) with ffmpeg to the stream picture's size in the model frame (`content`), with the
 * stream's scaler (fast_bilinear), then derives the guard image as for a frame. Measured: resizing the picture with
 * another scaler (sharp's) instead left a bias of 6 px and 0.4 % of zoom at 1080p, up to 14 px on single measures.
 * Throws, naming the file, when it cannot be read or its aspect is not the stream's.
 */
export async function readReferenceImage(
  file: string,
  content: { width: number; height: number },
  widthPx: number,
): Promise<ViewImage> {
  const meta = await sharp(file).metadata();
  if (!meta.width || !meta.height) throw new Error(`${file}: not an image that can be read`);
  if (Math.abs(meta.height / meta.width / (content.height / content.width) - 1) > MAX_ASPECT_MISMATCH)
    throw new Error(
      `${file}: ${meta.width}x${meta.height} does not have the stream's aspect ` +
        `(${content.width}x${content.height}); use a full, uncropped snapshot of this camera`,
    );
  const { width, height } = content;
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-frames:v', '1'].concat([
      '-vf',
      `scale=${width}:${height}:flags=fast_bilinear,format=rgb24`,
      '-f',
      'rawvideo',
      '-',
    ]),
    { encoding: 'buffer', maxBuffer: width * height * 3 + 1024 },
  );
  if (stdout.length !== width * height * 3)
    throw new Error(`${file}: ffmpeg decoded ${stdout.length} bytes, not ${width * height * 3}`);
  const frame: Frame = {
    cameraId: 'reference',
    seq: 0,
    tsMs: 0,
    spec: { width, height, pixelFormat: 'rgb24', fit: 'stretch', padValue: 0 },
    content: { x: 0, y: 0, width, height },
    sourceWidth: meta.width,
    sourceHeight: meta.height,
    data: stdout,
  };
  return grayViewFromFrame(frame, widthPx);
}
