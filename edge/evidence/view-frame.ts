// One JPEG of a camera's current view, grabbed from the newest ring segment (for the cameras page at central).
import { runFfmpeg } from './run-ffmpeg.ts';

/** Widest view snapshot sent; enough to read the scene and its geometry, small enough for a weak uplink. */
export const VIEW_MAX_WIDTH_PX = 1280;

/** The segment's last decodable frame as a JPEG, at most VIEW_MAX_WIDTH_PX wide. */
export function viewFrameJpeg(segmentFile: string, timeoutMs = 20_000): Promise<Buffer> {
  return runFfmpeg(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      // About the end of a 2 s segment; ffmpeg seeks to the keyframe before it and decodes forward.
      '-sseof',
      '-0.5',
      '-i',
      segmentFile,
      '-frames:v',
      '1',
      '-vf',
      `scale='min(${VIEW_MAX_WIDTH_PX},iw)':-2`,
      '-q:v',
      '4',
      '-f',
      'image2pipe',
      '-vcodec',
      'mjpeg',
      'pipe:1',
    ],
    timeoutMs,
  );
}
