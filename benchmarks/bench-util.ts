// Shared benchmark helpers: percentiles, process-tree RSS, edge configs built through the real schema.
import { readdirSync, readFileSync } from 'node:fs';
import { parseConfig } from '../config/load.ts';
import { type EdgeConfig, EdgeConfigSchema } from '../edge/config/schema.ts';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process exited between listing and reading
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/))
        if (c) out.push(Number(c));
    } catch {
      // thread gone
    }
  }
  return out;
}

/** RSS of this process and its descendants (the ffmpeg children), in MB. */
export function treeRssMb(pid = process.pid): { selfMb: number; childrenMb: number; children: number } {
  const stack = childrenOf(pid);
  let kids = 0;
  let n = 0;
  while (stack.length) {
    const p = stack.pop()!;
    kids += rssKb(p);
    n++;
    stack.push(...childrenOf(p));
  }
  return { selfMb: rssKb(pid) / 1024, childrenMb: kids / 1024, children: n };
}

/** An edge config with N copies of one clip camera, through the real schema (defaults filled, validated). */
export function benchEdgeConfig(o: {
  brokerUrl: string;
  clip: string;
  cameras: number;
  fps?: number;
  realtime?: boolean;
  loop?: boolean;
  rules?: unknown[];
  zones?: unknown[];
  model?: string;
  /** Keep the segment ring buffer on (as in production) — the capacity runs; off for timing runs. */
  ring?: boolean;
  dataDir?: string;
}): EdgeConfig {
  const cfg = {
    site: 'bench',
    broker: { url: o.brokerUrl },
    detector: { model: o.model ?? 'yolox_nano' },
    http: { port: 0 },
    // No evidence capture: the benchmarks time the per-frame path; the ring (a -c copy output) stays on when asked.
    evidence: { enabled: false },
    ...(o.dataDir ? { dataDir: o.dataDir } : {}),
    cameras: Array.from({ length: o.cameras }, (_, i) => ({
      id: `cam-${i + 1}`,
      source: { url: `media:${o.clip}`, realtime: o.realtime ?? true, loop: o.loop ?? true },
      fps: o.fps ?? 5,
      ring: { enabled: o.ring ?? false },
      zones: o.zones ?? [],
      rules: o.rules ?? [],
    })),
  };
  return parseConfig(JSON.stringify(cfg), 'bench', EdgeConfigSchema);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
