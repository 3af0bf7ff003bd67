// Frame-by-frame track simulation for rule unit tests: tracks with real paths, stepped through the real RulesEngine.
import type { SignalState } from '../../contract/index.ts';
import { RulesEngine, type Transition } from '../../edge/rules/engine.ts';
import type { Rule } from '../../edge/rules/rule.ts';
import type { RuleConfig } from '../../edge/rules/rule-schema.ts';
import type { Track } from '../../edge/track/track.ts';

/** 10:00 local time in Ho Chi Minh City (UTC+7). */
export const T0 = Date.parse('2026-11-23T03:00:00Z');
export const FRAME_MS = 200;

export interface SimObject {
  id: number;
  /** Anchor (box bottom-centre), normalised. */
  x: number;
  y: number;
  label?: string;
  score?: number;
  confirmed?: boolean;
  /** Box width and height, normalised. */
  w?: number;
  h?: number;
}

/** Keeps each track's path (bounded like the tracker's) and builds Track objects from anchors. */
export class TrackSim {
  private readonly paths = new Map<number, { tsMs: number; x: number; y: number }[]>();
  private readonly first = new Map<number, number>();

  constructor(private readonly pathLength = 64) {}

  frame(objs: readonly SimObject[], tsMs: number): Track[] {
    return objs.map((o) => {
      const w = o.w ?? 0.08;
      const h = o.h ?? 0.08;
      const path = this.paths.get(o.id) ?? [];
      path.push({ tsMs, x: o.x, y: o.y });
      if (path.length > this.pathLength) path.shift();
      this.paths.set(o.id, path);
      if (!this.first.has(o.id)) this.first.set(o.id, tsMs);
      return {
        id: o.id,
        classId: 2,
        label: o.label ?? 'car',
        score: o.score ?? 0.8,
        boxXyxyNorm: [o.x - w / 2, o.y - h, o.x + w / 2, o.y],
        confirmed: o.confirmed ?? true,
        hits: path.length,
        firstSeenTs: this.first.get(o.id)!,
        lastSeenTs: tsMs,
        path: path.map((p) => ({ ...p })),
      };
    });
  }
}

export interface SimFrame {
  objs: SimObject[];
  signal?: SignalState;
}

/** Steps the engine over frames at FRAME_MS from t0; returns all transitions. */
export function runRule(
  rule: Rule,
  cfg: RuleConfig,
  frames: Iterable<SimFrame>,
  t0 = T0,
  opts: { pathLength?: number } = {},
): Transition[] {
  let n = 0;
  const engine = new RulesEngine([{ rule, cfg }], { newId: () => `evt-${++n}` });
  const sim = new TrackSim(opts.pathLength);
  const out: Transition[] = [];
  let i = 0;
  for (const f of frames) {
    const ts = t0 + i * FRAME_MS;
    out.push(...engine.step(sim.frame(f.objs, ts), ts, f.signal ?? 'unknown'));
    i++;
  }
  return out;
}

export function* repeatFrames(n: number, f: (i: number) => SimFrame): Generator<SimFrame> {
  for (let i = 0; i < n; i++) yield f(i);
}

export const phases = (ts: readonly Transition[]) => ts.map((t) => `${t.phase}:${t.eventId}`);
export const starts = (ts: readonly Transition[]) => ts.filter((t) => t.phase === 'start');

/** Deterministic pseudo-random jitter in [-amp, amp] (box noise of a real detector). */
export function jitter(i: number, amp: number): number {
  const s = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return (s - Math.floor(s) - 0.5) * 2 * amp;
}
