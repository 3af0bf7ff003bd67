// Reads the wall-clock start the edge wrote into a clip (MP4 tag matthan_start_ms) with ffprobe.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLIP_START_TAG } from '../../contract/index.ts';

const run = promisify(execFile);

/** Epoch ms of the clip's first frame, or undefined when the file has no such tag (older edges). */
export async function probeClipStart(file: string, timeoutMs = 10_000): Promise<number | undefined> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_entries', `format_tags=${CLIP_START_TAG}`, '-of', 'default=nw=1:nk=1', file],
    { timeout: timeoutMs },
  );
  const v = Number(stdout.trim());
  // Sanity: a wall-clock ms after 2001 and before 2286 (13 digits); anything else is not ours.
  return Number.isInteger(v) && v > 1e12 && v < 1e13 ? v : undefined;
}
