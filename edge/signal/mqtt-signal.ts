// Signal state from the controller's MQTT topic: parse each payload, and forget the state when the feed goes stale.
import type { SignalState } from '../../contract/index.ts';
import type { MqttSignalConfig } from './signal-schema.ts';
import type { SignalSource } from './signal-source.ts';

const NAMES: Record<string, SignalState> = { red: 'red', amber: 'amber', yellow: 'amber', green: 'green' };

/** A message from the controller: its state, and when the controller says it set it (when the payload says). */
export interface SignalMessage {
  state: SignalState | undefined;
  /** Epoch ms from the tsField of a JSON object; NaN when the field is there but is no time. */
  tsMs?: number;
}

/** Epoch seconds below this are taken as seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_BELOW = 1e11;

function dig(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split('.'))
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** `{"state":"red","ts":...}` (fields configurable, dotted), `"red"` or `red`; state undefined for anything else. */
export function parseSignalMessage(payload: Buffer | string, field: string, tsField = 'ts'): SignalMessage {
  const text = payload.toString().trim();
  if (text.length === 0 || text.length > 4096) return { state: undefined };
  let value: unknown = text;
  let tsMs: number | undefined;
  if (text.startsWith('{') || text.startsWith('"')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { state: undefined }; // malformed JSON is an unparseable payload: the state goes unknown
    }
    value = typeof parsed === 'object' ? dig(parsed, field) : parsed;
    const ts = typeof parsed === 'object' ? dig(parsed, tsField) : undefined;
    if (typeof ts === 'number') tsMs = ts < SECONDS_BELOW ? ts * 1000 : ts;
    else if (typeof ts === 'string') tsMs = Date.parse(ts);
    else if (ts !== undefined) tsMs = Number.NaN;
  }
  const state = typeof value === 'string' ? NAMES[value.trim().toLowerCase()] : undefined;
  return tsMs === undefined ? { state } : { state, tsMs };
}

/** The state of a payload, ignoring any timestamp (see parseSignalMessage). */
export function parseSignalPayload(payload: Buffer | string, field: string): SignalState | undefined {
  return parseSignalMessage(payload, field).state;
}

/** The small part of an mqtt.js client this source needs. */
export interface SignalMqttClient {
  subscribe(topic: string, opts: { qos: 0 | 1 }, cb?: (err?: Error | null) => void): unknown;
  unsubscribe(topic: string): unknown;
  on(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown;
  on(event: 'connect', listener: () => void): unknown;
  off(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown;
  off(event: 'connect', listener: () => void): unknown;
  connected: boolean;
}

export class MqttSignalSource {
  private last: SignalState = 'unknown';
  private lastAtMs = Number.NEGATIVE_INFINITY;
  readonly counters = { messages: 0, unparseable: 0, outOfTime: 0 };

  constructor(
    private readonly cfg: MqttSignalConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * One message from the topic. An unparseable one makes the state unknown at once (never keeps an old red).
   * Returns false for an unparseable payload.
   */
  receive(payload: Buffer | string): boolean {
    this.counters.messages++;
    const m = parseSignalMessage(payload, this.cfg.payloadField, this.cfg.tsField ?? 'ts');
    let s = m.state;
    if (s !== undefined && m.tsMs !== undefined && !this.inTime(m.tsMs)) {
      // Misdated or replayed: a red that is not now must not count, and must not leave an older red standing.
      this.counters.outOfTime++;
      s = undefined;
    }
    if (s === undefined) this.counters.unparseable++;
    this.last = s ?? 'unknown';
    this.lastAtMs = this.now();
    return s !== undefined;
  }

  /** Not ahead of our clock beyond the skew, not older than the stale limit (plus the skew). */
  private inTime(tsMs: number): boolean {
    if (!Number.isFinite(tsMs)) return false;
    const now = this.now();
    const skewMs = (this.cfg.maxClockSkewS ?? 2) * 1000;
    return tsMs <= now + skewMs && tsMs >= now - this.cfg.staleAfterS * 1000 - skewMs;
  }

  state(): SignalState {
    return this.now() - this.lastAtMs > this.cfg.staleAfterS * 1000 ? 'unknown' : this.last;
  }
}

/** Wires a MqttSignalSource to a live client: subscribes on every (re)connect (clean sessions forget subscriptions). */
export function subscribeSignal(
  client: SignalMqttClient,
  cfg: MqttSignalConfig,
  onError: (err: Error) => void,
  now: () => number = Date.now,
  onUnparseable: (payload: string) => void = () => undefined,
): SignalSource & { readonly source: MqttSignalSource } {
  const source = new MqttSignalSource(cfg, now);
  let lastParsed = true;
  const onMessage = (topic: string, payload: Buffer) => {
    if (topic !== cfg.topic) return;
    const parsed = source.receive(payload);
    // Report the first bad payload of a run, not every one (a controller republishing garbage at 1 Hz).
    if (!parsed && lastParsed) onUnparseable(payload.toString().slice(0, 80));
    lastParsed = parsed;
  };
  const subscribe = () => {
    client.subscribe(cfg.topic, { qos: 0 }, (err) => {
      if (err) onError(err);
    });
  };
  client.on('message', onMessage);
  client.on('connect', subscribe);
  if (client.connected) subscribe();
  return {
    source,
    state: () => source.state(),
    close: () => {
      client.off('message', onMessage);
      client.off('connect', subscribe);
      if (client.connected) client.unsubscribe(cfg.topic);
    },
  };
}
