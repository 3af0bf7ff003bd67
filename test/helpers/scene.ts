// Scenes for rule unit tests: per-track anchor positions frame by frame, stepped through the real RulesEngine at 5 fps.
import { RulesEngine, type Transition } from '../../edge/rules/engine.ts';
import type { Rule } from '../../edge/rules/rule.ts';
import type { RuleConfig } from '../../edge/rules/rule-schema.ts';
import type { Track } from '../../edge/track/track.ts';

export const T0 = Date.parse('2026-11-23T03:00:00Z'); // 10:00 in Ho Chi Minh City
export const FRAME_MS = 200; // 5 fps
export type Pos = readonly [number, number] | undefined;

/** Builds the frames of a scene: tracks[id][i] is the track's anchor in frame i (undefined: not seen). */
export function scene(tracks: Record<number, Pos[]>, over: Record<number, Partial<Track>> = {}): Track[][] {
  const n = Math.max(0, ...Object.values(tracks).map((p) => p.length));
  const paths = new Map<number, Track['path']>();
  return Array.from({ length: n }, (_, i) => {
    const out: Track[] = [];
    for (const [key, positions] of Object.entries(tracks)) {
      const id = Number(key);
      const p = positions[i];
      if (!p) continue;
      const path = paths.get(id) ?? [];
      path.push({ tsMs: T0 + i * FRAME_MS, x: p[0], y: p[1] });
      if (path.length > 64) path.shift();
      paths.set(id, path);
      out.push({
        id,
        classId: 3,
        label: 'motorcycle',
        score: 0.8,
        boxXyxyNorm: [p[0] - 0.02, p[1] - 0.06, p[0] + 0.02, p[1]],
        confirmed: true,
        hits: 10,
        firstSeenTs: T0,
        lastSeenTs: T0 + i * FRAME_MS,
        path: path.map((q) => ({ ...q })),
        ...over[id],
      });
    }
    return out;
  });
}

/** n frames moving linearly from `from` at `perS` (normalised units per second). */
export const move = (n: number, from: readonly [number, number], perS: readonly [number, number]): Pos[] =>
  Array.from(
    { length: n },
    (_, i) => [from[0] + (perS[0] * i * FRAME_MS) / 1000, from[1] + (perS[1] * i * FRAME_MS) / 1000] as const,
  );
export const still = (n: number, at: readonly [number, number]): Pos[] => Array.from({ length: n }, () => at);
export const gap = (n: number): Pos[] => Array.from({ length: n }, () => undefined);

export function runEngine(rule: Rule, cfg: RuleConfig, frames: Track[][]): Transition[] {
  let n = 0;
  const engine = new RulesEngine([{ rule, cfg }], { newId: () => `evt-${++n}-xxxxxxxx` });
  return frames.flatMap((tracks, i) => engine.step(tracks, T0 + i * FRAME_MS));
}
export const phases = (ts: Transition[]) => ts.map((t) => `${t.phase}:t${t.hit.trackId}`);
