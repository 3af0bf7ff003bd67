// Full-resolution frames from a camera's segment ring: one ffprobe (packet times) and one decode per segment.
import type { TimedSegment } from '../evidence/clip-plan.ts';
import { runFfmpeg } from '../evidence/run-ffmpeg.ts';
import type { FrameOptions, FullResFrameSource, TimedFrame } from './frame-source.ts';

/** What the source needs of a camera's ring (edge/ingest/segment-ring.ts has it). */
export interface RingSegments {
  covering(fromMs: number, toMs: number): TimedSegment[];
}

const TIMEOUT_MS = 30_000;

interface Probe {
  width: number;
  height: number;
  /** Presentation times (s from the segment's first frame), sorted: index = display frame number. */
  framesS: number[];
  /** Bytes of each frame's packet (same order); a keyframe counts double. */
  bits: number[];
  keyframe: boolean[];
}

async function probe(file: string): Promise<Probe> {
  const out = await runFfmpeg(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height:packet=pts_time,size,flags',
      '-of',
      'json',
      file,
    ],
    TIMEOUT_MS,
  );
  const j = JSON.parse(out.toString('utf8')) as {
    streams?: { width?: number; height?: number }[];
    packets?: { pts_time?: string; size?: string; flags?: string }[];
  };
  const width = j.streams?.[0]?.width ?? 0;
  const height = j.streams?.[0]?.height ?? 0;
  const packets = (j.packets ?? [])
    .map((p) => {
      const key = p.flags?.includes('K') ?? false;
      return { t: Number(p.pts_time), key, bits: Number(p.size ?? 0) * (key ? 2 : 1) };
    })
    .filter((p) => Number.isFinite(p.t));
  packets.sort((a, b) => a.t - b.t);
  const t0 = packets[0]?.t ?? 0;
  return {
    width,
    height,
    framesS: packets.map((p) => p.t - t0),
    bits: packets.map((p) => p.bits),
    keyframe: packets.map((p) => p.key),
  };
}

/** The frame nearest v, or within snapS of it the one with the most bits. */
function pickIndex(p: Probe, v: number, snapS: number): number {
  let best = 0;
  for (let i = 1; i < p.framesS.length; i++)
    if (Math.abs(p.framesS[i]! - v) < Math.abs(p.framesS[best]! - v)) best = i;
  if (snapS <= 0) return best;
  let pick = best;
  for (let i = 0; i < p.framesS.length; i++)
    if (Math.abs(p.framesS[i]! - v) <= snapS && p.bits[i]! > p.bits[pick]!) pick = i;
  return pick;
}

/** Probes kept (segment file -> packet list): a job probes the same two or three segments several times. */
const PROBE_CACHE = 32;

export class RingFrameSource implements FullResFrameSource {
  private readonly probes = new Map<string, Promise<Probe>>();

  constructor(private readonly rings: ReadonlyMap<string, RingSegments | undefined>) {}

  private probe(file: string): Promise<Probe> {
    let p = this.probes.get(file);
    if (!p) {
      p = probe(file);
      p.catch(() => this.probes.delete(file));
      this.probes.set(file, p);
      if (this.probes.size > PROBE_CACHE) this.probes.delete(this.probes.keys().next().value!);
    }
    return p;
  }

  async keyframes(camera: string, fromMs: number, toMs: number): Promise<number[]> {
    const ring = this.rings.get(camera);
    if (!ring) return [];
    const out: number[] = [];
    for (const seg of ring.covering(fromMs, toMs)) {
      const p = await this.probe(seg.file);
      p.framesS.forEach((t, i) => {
        const ms = seg.startMs + t * 1000;
        if (p.keyframe[i] && ms >= fromMs && ms <= toMs) out.push(ms);
      });
    }
    return out;
  }

  async frames(
    camera: string,
    timesMs: readonly number[],
    options: FrameOptions = {},
  ): Promise<TimedFrame[] | 'pending'> {
    const ring = this.rings.get(camera);
    if (!ring || timesMs.length === 0) return [];
    const sorted = [...timesMs].sort((a, b) => a - b);
    const segs = ring.covering(sorted[0]!, sorted.at(-1)!);
    const newestEnd = Math.max(0, ...segs.map((s) => s.endMs));
    // The newest wanted frame is not in a closed segment yet: come back later.
    if (newestEnd <= sorted.at(-1)!) return 'pending';
    const bySegment = new Map<TimedSegment, number[]>();
    for (const t of sorted) {
      const seg = segs.find((s) => s.startMs <= t && t < s.endMs);
      if (!seg) continue; // rotated out, or in a gap between runs
      bySegment.set(seg, [...(bySegment.get(seg) ?? []), t]);
    }
    const out: TimedFrame[] = [];
    for (const [seg, times] of bySegment)
      out.push(...(await this.decode(seg, times, (options.snapMs ?? 0) / 1000)));
    return out;
  }

  private async decode(seg: TimedSegment, times: number[], snapS: number): Promise<TimedFrame[]> {
    const p = await this.probe(seg.file);
    if (p.width <= 0 || p.height <= 0 || p.framesS.length === 0) return [];
    const picks = times.map((t) => ({ atMs: t, index: pickIndex(p, (t - seg.startMs) / 1000, snapS) }));
    const indices = [...new Set(picks.map((x) => x.index))].sort((a, b) => a - b);
    // select by display frame number: exactly the wanted frames leave the decoder, nothing else is converted.
    const select = indices.map((i) => `eq(n\\,${i})`).join('+');
    const raw = await runFfmpeg(
      'ffmpeg',
      [
        '-v',
        'error',
        '-i',
        seg.file,
        '-vf',
        `select='${select}'`,
        '-fps_mode',
        'passthrough',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ],
      TIMEOUT_MS,
    );
    const size = p.width * p.height * 3;
    const images = new Map<number, Uint8Array>();
    indices.forEach((idx, k) => {
      if ((k + 1) * size <= raw.length)
        images.set(idx, new Uint8Array(raw.buffer, raw.byteOffset + k * size, size));
    });
    return picks.flatMap((x) => {
      const data = images.get(x.index);
      return data
        ? [
            {
              atMs: x.atMs,
              frameMs: seg.startMs + p.framesS[x.index]! * 1000,
              image: { data, width: p.width, height: p.height },
            },
          ]
        : [];
    });
  }
}
