// Cuts an MP4 clip (faststart) out of ring segments: stream copy when the camera sends H.264, else transcode to
// H.264 (or, when configured, stream copy of H.265 tagged hvc1). Probes of a segment are cached: segments never change.
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

/** Probe results per segment file (a ring holds at most a few hundred; the oldest are forgotten first). */
const PROBE_CACHE_MAX = 512;
const codecCache = new Map<string, string>();
const keyframeCache = new Map<string, { startS: number; keyframesS: number[] }>();
function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  cache.set(key, value);
  if (cache.size > PROBE_CACHE_MAX) cache.delete(cache.keys().next().value!);
  return value;
}

/** Codec of the first video stream of a segment (ffprobe, once per file). */
export async function probeCodec(file: string, signal?: AbortSignal): Promise<string> {
  const known = codecCache.get(file);
  if (known !== undefined) return known;
  const out = await runFfmpeg(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file],
    10_000,
    signal,
  );
  // MPEG-TS lists the stream under its program too ("h264\n\nh264"): take the first name.
  const codec =
    out
      .toString()
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  return remember(codecCache, file, codec);
}

/** Packet times (s) of a segment's video: its first pts and its keyframes, read without decoding (once per file). */
export async function probeKeyframes(
  file: string,
  signal?: AbortSignal,
): Promise<{ startS: number; keyframesS: number[] }> {
  const known = keyframeCache.get(file);
  if (known) return known;
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
    signal,
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
  return remember(keyframeCache, file, { startS, keyframesS });
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

export interface CutOptions {
  mode: ClipMode;
  /** Stream-copy H.265 into MP4 (tagged hvc1) instead of transcoding it (EvidenceSchema.copyHevc). */
  copyHevc?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function cutClip(plan: ClipPlan, outFile: string, opts: CutOptions): Promise<ClipResult> {
  // Every browser plays H.264 in MP4; H.265 plays only where the platform decodes it (Safari, Chrome or Edge
  // with hardware HEVC; not Chromium without it), so it is re-encoded unless the site says its browsers can.
  const codec = opts.mode === 'copy' ? await probeCodec(plan.files[0]!, opts.signal) : '';
  const copyable = codec === 'h264' || (codec === 'hevc' && opts.copyHevc === true);
  const mode: ClipMode = opts.mode === 'copy' && copyable ? 'copy' : 'transcode';
  // Seeks are output options (after -i): an input seek in MPEG-TS has no index and can land a keyframe late.
  let seekS = plan.seekS;
  let durationS = plan.durationS;
  if (mode === 'copy') {
    const { startS, keyframesS } = await probeKeyframes(plan.files[0]!, opts.signal);
    seekS = copyCutStart(startS, keyframesS, plan.seekS);
    durationS += plan.seekS - seekS;
    // Half a millisecond early so float rounding never drops the keyframe itself.
    seekS = Math.max(0, seekS - 0.0005);
  }
  // hvc1 (parameter sets in the sample entry) is the HEVC tag Apple and Chrome accept in MP4; hev1 they refuse.
  // Transcoding: ultrafast on one thread, so N capture workers use at most N cores. 4 s of 720p H.265 took
  // 1.2 s of CPU with ultrafast and 1.9 s with veryfast on the 2-core box.
  const video =
    mode === 'copy'
      ? ['-c:v', 'copy', ...(codec === 'hevc' ? ['-tag:v', 'hvc1'] : [])]
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '26', '-pix_fmt', 'yuv420p', '-threads', '1'];
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
      opts.signal,
    );
    renameSync(tmp, outFile);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { file: outFile, bytes: statSync(outFile).size, mode };
}
