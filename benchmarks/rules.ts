// Tracker + rules benchmark: ms per frame of ByteTrack and a RulesEngine holding one rule of every implemented type,
// at 50 and 200 synthetic moving objects (deterministic pseudo-random walk, 5 fps). `npx tsx benchmarks/rules.ts`.
//
// Rules are built from RULE_SPECS through the real config schema (parseConfig) and createRules; a spec whose
// type is not in the schema yet, or whose config the schema refuses, is listed under `skipped` with the reason,
// and a rule type in the schema without a spec here is listed under `noSpec`, so the figures say what they cover.
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../config/load.ts';
import type { SignalState } from '../contract/index.ts';
import { type CameraConfig, EdgeConfigSchema } from '../edge/config/schema.ts';
import type { Detection } from '../edge/detect/detection.ts';
import { createRules } from '../edge/rules/create-rules.ts';
import { RulesEngine } from '../edge/rules/engine.ts';
import type { Rule } from '../edge/rules/rule.ts';
import { RuleSchema } from '../edge/rules/rule-schema.ts';
import { ByteTrack } from '../edge/track/byte-track.ts';
import { percentile, round } from './bench-util.ts';

const FPS = 5;
const FRAME_MS = 1000 / FPS;
const WARMUP_FRAMES = 50;
/** 2 minutes of video at 5 fps: long enough for dwell, stop and crowding rules to start and end events. */
const MEASURED_FRAMES = 600;
const OBJECT_COUNTS = [50, 200];
const T0 = Date.parse('2026-11-23T03:00:00Z'); // 10:00 in Ho Chi Minh City, inside every default schedule
/** The signal alternates red/green every 30 s so signal-aware rules run both ways. */
const SIGNAL_PERIOD_MS = 30_000;

/** Geometry covering the frame: every rule below refers to these ids. */
const ZONES = {
  all: [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
  ],
  road: [
    [0.2, 0.2],
    [0.8, 0.2],
    [0.8, 1],
    [0.2, 1],
  ],
  sidewalk: [
    [0, 0],
    [0.2, 0],
    [0.2, 1],
    [0, 1],
  ],
  entry: [
    [0, 0],
    [0.5, 0],
    [0.5, 1],
    [0, 1],
  ],
  exit: [
    [0.5, 0],
    [1, 0],
    [1, 1],
    [0.5, 1],
  ],
};
const LINES = {
  stop: [
    [0, 0.5],
    [1, 0.5],
  ],
  far: [
    [0, 0.3],
    [1, 0.3],
  ],
  near: [
    [0, 0.7],
    [1, 0.7],
  ],
  solid: [
    [0.5, 0],
    [0.5, 1],
  ],
};

/**
 * One config per rule type (extend as rule types land). Ids are filled in; every field not given takes the
 * schema default. Fields of rule types not merged yet follow the team's design and are checked at run time.
 */
const RULE_SPECS: Record<string, unknown>[] = [
  { type: 'zone_dwell', zone: 'all', dwellS: 3 },
  { type: 'illegal_stop', zone: 'road', stationaryS: 10 },
  { type: 'speeding', limitKmh: 50, lines: { first: 'far', second: 'near', distanceM: 20 } },
  {
    type: 'speeding',
    limitKmh: 50,
    homography: {
      imagePointsNorm: [
        [0.3, 0.4],
        [0.7, 0.4],
        [0.9, 0.9],
        [0.1, 0.9],
      ],
      groundPointsM: [
        [0, 0],
        [7, 0],
        [7, 30],
        [0, 30],
      ],
    },
  },
  { type: 'sidewalk', zone: 'sidewalk' },
  { type: 'crowding', zone: 'all', minCount: 5, classes: ['person'] },
  { type: 'object_present', zone: 'all', classes: ['truck'] },
  { type: 'no_helmet', violationLabel: 'no_helmet', classes: ['motorcycle'] },
  { type: 'red_light', line: 'stop', approachPoint: [0.5, 0.8], exemptZones: ['sidewalk'] },
  { type: 'wrong_way', zone: 'road', allowedDirection: [0, 1] },
  { type: 'solid_line', line: 'solid' },
  { type: 'wrong_lane', zone: 'road', allowedClasses: ['car', 'motorcycle'] },
  { type: 'forbidden_turn', entryZone: 'entry', exitZone: 'exit' },
];

const LABELS = ['car', 'motorcycle', 'motorcycle', 'motorcycle', 'person', 'truck'];
const CLASS_IDS: Record<string, number> = { person: 0, car: 2, motorcycle: 3, truck: 7 };

/** Deterministic LCG in 0..1 (the same objects on every run and machine). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface SimObject {
  x: number;
  y: number;
  vx: number;
  vy: number;
  w: number;
  h: number;
  label: string;
  parked: boolean;
}

/** Largest per-frame step of a moving object (0.01 of the frame at 5 fps: a car crossing the frame in 20 s). */
const MAX_STEP = 0.01;

/**
 * Objects on a smooth random walk in velocity; one that leaves the frame is replaced by a new one at a random
 * place (a new vehicle: a new id is right). A fifth of them park. `objects` counts every object ever shown.
 */
function makeScene(count: number, seed: number) {
  const r = rng(seed);
  let spawned = 0;
  const spawn = (i: number): SimObject => {
    spawned++;
    const label = LABELS[i % LABELS.length]!;
    const size = label === 'truck' ? 0.09 : label === 'car' ? 0.06 : 0.025;
    return {
      x: 0.05 + 0.9 * r(),
      y: 0.1 + 0.85 * r(),
      vx: (r() - 0.5) * 2 * MAX_STEP,
      vy: (r() - 0.5) * 2 * MAX_STEP,
      w: size * (0.8 + 0.4 * r()),
      h: size * (0.8 + 0.6 * r()),
      label,
      parked: r() < 0.2,
    };
  };
  const objects: SimObject[] = Array.from({ length: count }, (_, i) => spawn(i));
  const next = (): Detection[] => {
    const dets: Detection[] = [];
    objects.forEach((o, i) => {
      if (!o.parked) {
        o.vx = Math.max(-MAX_STEP, Math.min(MAX_STEP, o.vx + (r() - 0.5) * 0.002));
        o.vy = Math.max(-MAX_STEP, Math.min(MAX_STEP, o.vy + (r() - 0.5) * 0.002));
        o.x += o.vx;
        o.y += o.vy;
        if (o.x < 0 || o.x > 1 || o.y < o.h || o.y > 1) {
          objects[i] = spawn(i);
          return;
        }
      }
      if (r() < 0.05) return; // a missed detection now and then: the lost buffer and low stage work too
      const score = r() < 0.15 ? 0.3 + 0.2 * r() : 0.55 + 0.4 * r();
      const c = (v: number) => Math.min(1, Math.max(0, v));
      dets.push({
        classId: CLASS_IDS[o.label]!,
        label: o.label,
        score,
        boxXyxyNorm: [c(o.x - o.w / 2), c(o.y - o.h), c(o.x + o.w / 2), c(o.y)],
      });
    });
    return dets;
  };
  return { next, spawned: () => spawned };
}

/** Rule types the live schema knows (the discriminated union's branches). */
function schemaRuleTypes(): string[] {
  const branches = (RuleSchema as unknown as { oneOf?: { properties?: { type?: { const?: string } } }[] })
    .oneOf;
  return (branches ?? [])
    .map((b) => b.properties?.type?.const)
    .filter((t): t is string => typeof t === 'string');
}

function cameraWith(rules: Record<string, unknown>[]): CameraConfig {
  const cfg = parseConfig(
    JSON.stringify({
      site: 'bench',
      cameras: [
        {
          id: 'bench-cam',
          source: { url: 'media:hcmc_intersection_1080p.mp4' },
          zones: Object.entries(ZONES).map(([id, polygon]) => ({ id, polygon })),
          lines: Object.entries(LINES).map(([id, points]) => ({ id, points })),
          rules,
        },
      ],
    }),
    'bench-rules.json',
    EdgeConfigSchema,
    { env: {} },
  );
  return cfg.cameras[0]!;
}

/** no_helmet reads classifier verdicts; the bench gives every third track a "no_helmet" majority. */
const attributes = {
  verdict: (trackId: number) =>
    trackId % 3 === 0 ? { label: 'no_helmet', votes: 3, total: 4 } : { label: 'helmet', votes: 3, total: 4 },
};
type CreateRules = (camera: CameraConfig, deps?: unknown) => { rule: Rule; cfg: unknown }[];

function buildRules() {
  const known = new Set(schemaRuleTypes());
  const accepted: Record<string, unknown>[] = [];
  const skipped: Record<string, string> = {};
  RULE_SPECS.forEach((spec, i) => {
    const type = String(spec.type);
    const withId = { id: `${type.replaceAll('_', '-')}-${i}`, ...spec };
    if (!known.has(type)) {
      skipped[withId.id] = 'rule type not in the schema yet';
      return;
    }
    try {
      (createRules as CreateRules)(cameraWith([withId]), { attributes });
      accepted.push(withId);
    } catch (err) {
      skipped[withId.id] = (err as Error).message.split('\n').slice(0, 3).join(' ');
    }
  });
  const camera = cameraWith(accepted);
  const rules = (createRules as CreateRules)(camera, { attributes }) as ConstructorParameters<
    typeof RulesEngine
  >[0];
  const covered = new Set(accepted.map((s) => String(s.type)));
  return {
    rules,
    ruleTypes: [...covered],
    skipped,
    noSpec: [...known].filter((t) => !RULE_SPECS.some((s) => s.type === t)),
  };
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { medianMs: round(percentile(s, 50), 3), p95Ms: round(percentile(s, 95), 3) };
}

export async function benchRules(): Promise<Record<string, unknown>> {
  const built = buildRules();
  const rows: Record<string, unknown>[] = [];
  const perRule: Record<string, unknown>[] = [];
  for (const count of OBJECT_COUNTS) {
    const { rules } = buildRules(); // fresh rule state per run
    // Time each rule's own evaluate() (the engine's filtering and lifecycle are the rest of rulesMs).
    const evalMs = new Map<string, number>();
    for (const { rule } of rules) {
      const evaluate = rule.evaluate.bind(rule);
      const key = `${rule.type} (${rule.id})`;
      (rule as { evaluate: Rule['evaluate'] }).evaluate = (input) => {
        const t = performance.now();
        const hits = evaluate(input);
        evalMs.set(key, (evalMs.get(key) ?? 0) + performance.now() - t);
        return hits;
      };
    }
    const engine = new RulesEngine(rules, { timezone: 'Asia/Ho_Chi_Minh' });
    const tracker = new ByteTrack();
    const scene = makeScene(count, 42 + count);
    const trackMs: number[] = [];
    const rulesMs: number[] = [];
    const totalMs: number[] = [];
    let events = 0;
    let tracksSeen = 0;
    const ids = new Set<number>();
    for (let f = 0; f < WARMUP_FRAMES + MEASURED_FRAMES; f++) {
      const tsMs = T0 + f * FRAME_MS;
      const signal: SignalState = Math.floor(tsMs / SIGNAL_PERIOD_MS) % 2 === 0 ? 'red' : 'green';
      const dets = scene.next();
      const t0 = performance.now();
      const tracks = tracker.update(dets, tsMs);
      const t1 = performance.now();
      const transitions = engine.step(tracks, tsMs, signal);
      const t2 = performance.now();
      if (f < WARMUP_FRAMES) continue;
      trackMs.push(t1 - t0);
      rulesMs.push(t2 - t1);
      totalMs.push(t2 - t0);
      events += transitions.filter((t) => t.phase === 'start').length;
      tracksSeen += tracks.length;
      for (const t of tracks) ids.add(t.id);
    }
    for (const [rule, ms] of evalMs)
      perRule.push({
        objects: count,
        rule,
        evaluateMeanUsPerFrame: round((ms * 1000) / (WARMUP_FRAMES + MEASURED_FRAMES), 1),
      });
    const tk = stats(trackMs);
    const ru = stats(rulesMs);
    const to = stats(totalMs);
    rows.push({
      objects: count,
      rules: rules.length,
      trackMedianMs: tk.medianMs,
      trackP95Ms: tk.p95Ms,
      rulesMedianMs: ru.medianMs,
      rulesP95Ms: ru.p95Ms,
      totalMedianMs: to.medianMs,
      totalP95Ms: to.p95Ms,
      tracksPerFrame: round(tracksSeen / MEASURED_FRAMES, 1),
      eventsStarted: events,
      objectsShown: scene.spawned(),
      /** Distinct track ids vs objects shown: 1.0 is no id switch; below 1, objects never confirmed. */
      idsPerObject: round(ids.size / scene.spawned(), 2),
      budgetShareAt5FpsPct: round((to.medianMs / FRAME_MS) * 100, 2),
    });
  }
  return {
    frames: MEASURED_FRAMES,
    fps: FPS,
    ruleTypes: built.ruleTypes.join(', '),
    skipped: JSON.stringify(built.skipped),
    noSpec: built.noSpec.join(', ') || 'none',
    perObjectCount: rows,
    perRule,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await benchRules(), null, 2)}\n`);
}
