// Real evidence files for browser tests: a short H.264 MP4 (plays in Chromium) and a JPEG cut from a real clip.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface EvidenceMedia {
  clipFile: string;
  snapshotFile: string;
}

/**
 * Cuts `seconds` of `source` into `dir`: yuv420p H.264 with the moov atom first (+faststart) so the browser
 * can start playing from the first range request, and one JPEG frame from the middle of the cut.
 */
export async function makeEvidenceMedia(source: string, dir: string, seconds = 4): Promise<EvidenceMedia> {
  const clipFile = path.join(dir, 'clip.mp4');
  const snapshotFile = path.join(dir, 'snapshot.jpg');
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-i',
    source,
    '-t',
    String(seconds),
    '-an',
    '-vf',
    'scale=1280:-2', // 720p is what a reviewer's player shows anyway, and it encodes 2x faster on 2 cores
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    clipFile,
  ]);
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-ss',
    String(seconds / 2),
    '-i',
    source,
    '-frames:v',
    '1',
    '-vf',
    'scale=1280:-2',
    '-q:v',
    '4',
    snapshotFile,
  ]);
  return { clipFile, snapshotFile };
}
