// A reproducible central ingest load: unique valid event sequences, exact redeliveries and malformed payloads.
import { type MatthanEvent, SCHEMA_VERSION, Topics } from '../../contract/index.ts';

export interface LoadMessage {
  topic: string;
  payload: Buffer;
}

export interface MalformedKind {
  name: string;
  /** A substring the quarantine reason must contain. */
  reason: string;
  make: (e: MatthanEvent) => LoadMessage;
}

const topicOf = (e: MatthanEvent) => Topics.events(e.site, e.camera);
const json = (e: MatthanEvent, patch: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ ...e, ...patch }));

export const MALFORMED_KINDS: MalformedKind[] = [
  {
    name: 'truncated JSON',
    reason: 'not JSON',
    make: (e) => ({ topic: topicOf(e), payload: json(e).subarray(0, 40) }),
  },
  {
    name: 'unknown schema version',
    reason: '/schemaVersion',
    make: (e) => ({ topic: topicOf(e), payload: json(e, { schemaVersion: 99 }) }),
  },
  {
    name: 'confidence above 1',
    reason: '/confidence',
    make: (e) => ({ topic: topicOf(e), payload: json(e, { confidence: 1.7 }) }),
  },
  {
    name: 'missing id',
    reason: "required property 'id'",
    make: (e) => {
      const { id: _id, ...rest } = e;
      return { topic: topicOf(e), payload: Buffer.from(JSON.stringify(rest)) };
    },
  },
  {
    name: 'camera differs from the topic',
    reason: 'do not match the topic',
    make: (e) => ({ topic: Topics.events(e.site, 'cam-elsewhere'), payload: json(e) }),
  },
];

export interface CentralLoad {
  messages: LoadMessage[];
  /** Distinct valid (id, seq) pairs: what central must store. */
  uniqueValid: number;
  duplicates: number;
  malformed: number;
  /** Malformed payloads per kind name. */
  malformedByKind: Record<string, number>;
  eventIds: number;
}

/** Deterministic PRNG (mulberry32) so a failing run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MESSAGES_PER_EVENT = 5; // start, 3 updates, end

/**
 * total messages: (1 - dupFraction - malformedFraction) unique valid ones in sequences of 5 per event id,
 * dupFraction exact copies of valid ones, malformedFraction broken ones; shuffled when `shuffle`.
 */
export function centralLoad(opts: {
  total: number;
  dupFraction: number;
  malformedFraction: number;
  seed?: number;
  cameras?: number;
  shuffle?: boolean;
  t0?: number;
}): CentralLoad {
  const rand = prng(opts.seed ?? 7);
  const cameras = opts.cameras ?? 8;
  const t0 = opts.t0 ?? 1_763_700_000_000;
  const malformed = Math.round(opts.total * opts.malformedFraction);
  const duplicates = Math.round(opts.total * opts.dupFraction);
  const eventIds = Math.floor((opts.total - malformed - duplicates) / MESSAGES_PER_EVENT);
  const valid: LoadMessage[] = [];
  const templates: MatthanEvent[] = [];
  for (let i = 0; i < eventIds; i++) {
    const camera = `cam-${String(i % cameras).padStart(2, '0')}`;
    const startTs = t0 + i * 700;
    // Spread over a 10x10 grid so neighbouring events are not fragments of each other.
    const cx = 0.05 + ((i * 7) % 10) * 0.1;
    const cy = 0.05 + ((i * 3) % 10) * 0.1;
    const id = `load_${i.toString(36).padStart(6, '0')}_${Math.floor(rand() * 1e9).toString(36)}`;
    for (let seq = 0; seq < MESSAGES_PER_EVENT; seq++) {
      const phase = seq === 0 ? 'start' : seq === MESSAGES_PER_EVENT - 1 ? 'end' : 'update';
      const ts = startTs + seq * 1000;
      const e: MatthanEvent = {
        schemaVersion: SCHEMA_VERSION,
        id,
        seq,
        phase,
        site: 'load-site',
        camera,
        rule: 'stop-zone',
        ruleType: 'illegal_stop',
        ts,
        startTs,
        ...(phase === 'end' ? { endTs: ts - 500 } : {}),
        trackId: i,
        label: 'car',
        confidence: 0.5 + rand() * 0.5,
        boxXyxyNorm: [cx - 0.04, cy - 0.04, cx + 0.04, cy + 0.04],
        zone: 'no-stopping',
        details: { dwellS: seq * 1.5 },
      };
      templates.push(e);
      valid.push({ topic: topicOf(e), payload: json(e) });
    }
  }
  const messages = valid.slice();
  for (let i = 0; i < duplicates; i++) messages.push(valid[Math.floor(rand() * valid.length)]!);
  const malformedByKind: Record<string, number> = {};
  for (let i = 0; i < malformed; i++) {
    const kind = MALFORMED_KINDS[i % MALFORMED_KINDS.length]!;
    malformedByKind[kind.name] = (malformedByKind[kind.name] ?? 0) + 1;
    messages.push(kind.make(templates[Math.floor(rand() * templates.length)]!));
  }
  if (opts.shuffle !== false) {
    for (let i = messages.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [messages[i], messages[j]] = [messages[j]!, messages[i]!];
    }
  }
  return { messages, uniqueValid: valid.length, duplicates, malformed, malformedByKind, eventIds };
}
