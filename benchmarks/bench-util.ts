// Shared benchmark helpers: percentiles, process-tree RSS, edge configs built through the real schema.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type EmbeddedBroker, startEmbeddedBroker } from '../central/broker/embedded-broker.ts';
import { parseConfig } from '../config/load.ts';
import { type EdgeConfig, EdgeConfigSchema } from '../edge/config/schema.ts';
import { childrenOf } from './cpu-times.ts';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The bench box's identity (site `bench`, as in benchEdgeConfig): a random MQTT login and API token. */
export function benchBox() {
  const secret = () => randomBytes(24).toString('base64url');
  return { name: 'box-bench', site: 'bench', token: secret(), mqttPassword: secret() };
}

/** An embedded broker that admits the bench box, with the login to give benchEdgeConfig. */
export async function benchBroker(): Promise<{
  broker: EmbeddedBroker;
  login: { username: string; password: string };
}> {
  const box = benchBox();
  const broker = await startEmbeddedBroker({
    accounts: [
      {
        username: box.name,
        password: box.mqttPassword,
        kind: 'edge',
        publish: ['matthan/v1/bench/#'],
        subscribe: [],
      },
    ],
  });
  return { broker, login: { username: box.name, password: box.mqttPassword } };
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process exited between listing and reading
  }
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
  /** The box's MQTT login on an authenticating broker (benchBroker gives one). */
  brokerLogin?: { username: string; password: string };
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
  /** Detector fields over the defaults (input shape, threads) — the capacity modes. */
  detector?: Record<string, unknown>;
  /** Camera source fields over the clip's (decode options) — the capacity modes. */
  source?: Record<string, unknown>;
  /** Other camera fields (detection regions and the zones they follow) — the capacity modes. */
  camera?: Record<string, unknown>;
}): EdgeConfig {
  const cfg = {
    site: 'bench',
    broker: { url: o.brokerUrl, ...o.brokerLogin },
    detector: { model: o.model ?? 'yolox_nano', ...o.detector },
    http: { port: 0 },
    // No evidence capture: the benchmarks time the per-frame path; the ring (a -c copy output) stays on when asked.
    evidence: { enabled: false },
    ...(o.dataDir ? { dataDir: o.dataDir } : {}),
    cameras: Array.from({ length: o.cameras }, (_, i) => ({
      id: `cam-${i + 1}`,
      source: { url: `media:${o.clip}`, realtime: o.realtime ?? true, loop: o.loop ?? true, ...o.source },
      fps: o.fps ?? 5,
      ring: { enabled: o.ring ?? false },
      zones: o.zones ?? [],
      rules: o.rules ?? [],
      ...o.camera,
    })),
  };
  return parseConfig(JSON.stringify(cfg), 'bench', EdgeConfigSchema);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
