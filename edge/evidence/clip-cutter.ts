// Cuts an MP4 clip (H.264, faststart) out of ring segments: stream copy when the camera sends H.264, else transcode.
import { renameSync, rmSync, statSync } from 'node:fs';
import { CLIP_START_TAG } from '../../contract/index.ts';
import type { ClipPlan } from './clip-plan.ts';
import { runFfmpeg } from './run-ffmpeg.ts';

export type ClipMode = 'copy' | 'transcode';

export interface ClipResult {
  file: string;
  bytes: number;
  mode: ClipMode;
}

/** Codec of the first video stream of a segment (ffprobe). */
export async function probeCodec(file: string): Promise<string> {
  const out = await runFfmpeg(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file],
    10_000,
  );
  // MPEG-TS lists the stream under its program too ("h264\n\nh264"): take the first name.
  return (
    out
      .toString()
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

/** Packet times (s) of a segment's video: its first pts and its keyframes, read without decoding. */
export async function probeKeyframes(file: string): Promise<{ startS: number; keyframesS: number[] }> {
  const out = await runFfmpeg(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=pts_time,flags',
      '-of',
      'csv=p=0',
      file,
    ],
    10_000,
  );
  let startS = Infinity;
  const keyframesS: number[] = [];
  for (const line of out.toString().split('\n')) {
    const [pts, flags] = line.split(',');
    const t = Number(pts);
    if (!pts || !Number.isFinite(t)) continue;
    startS = Math.min(startS, t);
    if (flags?.includes('K')) keyframesS.push(t);
  }
  if (!Number.isFinite(startS)) throw new Error(`no video packets in ${file}`);
  return { startS, keyframesS };
}

/**
 * Where a stream-copy cut starts: the last keyframe at or before the wanted point (relative to the segment's
 * first pts), so the clip opens on a decodable frame and shows at least the wanted pre-roll.
 */
export function copyCutStart(startS: number, keyframesS: readonly number[], seekS: number): number {
  const target = startS + seekS + 0.001;
  const before = keyframesS.filter((k) => k <= target);
  const k = before.length > 0 ? Math.max(...before) : startS;
  return Math.max(0, k - startS);
}

/** ffmpeg's concat protocol: MPEG-TS segments of one recording join byte-wise with continuous timestamps. */
const concatInput = (files: readonly string[]) => `concat:${files.join('|')}`;

export async function cutClip(
  plan: ClipPlan,
  outFile: string,
  opts: { mode: ClipMode; timeoutMs?: number },
): Promise<ClipResult> {
  // Browsers play H.264 in MP4; anything else (HEVC cameras) has to be re-encoded.
  const mode: ClipMode =
    opts.mode === 'copy' && (await probeCodec(plan.files[0]!)) === 'h264' ? 'copy' : 'transcode';
  // Seeks are output options (after -i): an input seek in MPEG-TS has no index and can land a keyframe late.
  let seekS = plan.seekS;
  let durationS = plan.durationS;
  if (mode === 'copy') {
    const { startS, keyframesS } = await probeKeyframes(plan.files[0]!);
    seekS = copyCutStart(startS, keyframesS, plan.seekS);
    durationS += plan.seekS - seekS;
    // Half a millisecond early so float rounding never drops the keyframe itself.
    seekS = Math.max(0, seekS - 0.0005);
  }
  const video =
    mode === 'copy'
      ? ['-c:v', 'copy']
      : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-pix_fmt', 'yuv420p', '-threads', '2'];
  const tmp = `${outFile}.part.mp4`;
  try {
    await runFfmpeg(
      'ffmpeg',
      [
        '-v',
        'error',
        '-y',
        '-i',
        concatInput(plan.files),
        '-ss',
        seekS.toFixed(4),
        '-t',
        durationS.toFixed(3),
        '-map',
        '0:v:0',
        '-an',
        ...video,
        // The wall-clock ms of the clip's first frame, so a reviewer's overlay can put the track's timed boxes on
        // the right frames (central reads it back with ffprobe; use_metadata_tags keeps a custom key in MP4).
        '-metadata',
        `${CLIP_START_TAG}=${Math.round(plan.firstStartMs + seekS * 1000)}`,
        // moov first: a browser starts playing before the whole file has arrived.
        '-movflags',
        '+faststart+use_metadata_tags',
        '-f',
        'mp4',
        tmp,
      ],
      opts.timeoutMs ?? 120_000,
    );
    renameSync(tmp, outFile);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { file: outFile, bytes: statSync(outFile).size, mode };
}
