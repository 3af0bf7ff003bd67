// A camera's substream made from a clip: the same scene re-encoded at 640x360 with the main stream's keyframe
// spacing and no B-frames, as IP cameras serve it; cached in the temp directory (derived, never committed).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The rendition's path; made once per clip and size (x264 veryfast, about a second of CPU per 10 s of 1080p). */
export async function substreamOf(clip: string, width = 640, height = 360): Promise<string> {
  const key = createHash('sha1').update(`${clip}:${width}x${height}`).digest('hex').slice(0, 12);
  const out = path.join(os.tmpdir(), `matthan-substream-${key}.mp4`);
  if (existsSync(out)) return out;
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-skip_frame', 'nokey'],
    ...['-show_entries', 'frame=best_effort_timestamp_time', '-of', 'csv=p=0', clip],
  ]);
  const keys = stdout.trim().split('\n').map(Number);
  const gopS = keys.length > 1 ? (keys.at(-1)! - keys[0]!) / (keys.length - 1) : 2;
  const partial = `${out}.${process.pid}.part.mp4`;
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', clip, '-an'],
    ...['-vf', `scale=${width}:${height}`, '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0'],
    // Keyframes at the main stream's times, as a camera's encoder spaces both streams alike.
    ...['-force_key_frames', `expr:gte(t,n_forced*${gopS.toFixed(4)})`, '-pix_fmt', 'yuv420p', partial],
  ]);
  renameSync(partial, out);
  return out;
}
