// Signal state from the controller's MQTT topic: parse each payload, and forget the state when the feed goes stale.
import type { SignalState } from '../../contract/index.ts';
import type { MqttSignalConfig } from './signal-schema.ts';
import type { SignalSource } from './signal-source.ts';

const NAMES: Record<string, SignalState> = { red: 'red', amber: 'amber', yellow: 'amber', green: 'green' };

/** `{"state":"red"}` (field configurable, dotted), `"red"` or `red`; undefined for anything else. */
export function parseSignalPayload(payload: Buffer | string, field: string): SignalState | undefined {
  const text = payload.toString().trim();
  if (text.length === 0 || text.length > 4096) return undefined;
  let value: unknown = text;
  if (text.startsWith('{') || text.startsWith('"')) {
    try {
      value = JSON.parse(text);
    } catch {
      return undefined; // malformed JSON is an unparseable payload: the caller counts it and the state goes unknown
    }
    for (const key of typeof value === 'object' ? field.split('.') : []) {
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
  }
  return typeof value === 'string' ? NAMES[value.trim().toLowerCase()] : undefined;
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
  readonly counters = { messages: 0, unparseable: 0 };

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
    const s = parseSignalPayload(payload, this.cfg.payloadField);
    if (s === undefined) this.counters.unparseable++;
    this.last = s ?? 'unknown';
    this.lastAtMs = this.now();
    return s !== undefined;
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
