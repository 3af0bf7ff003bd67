// The edge's subscription to central's acknowledgements for its site: bounded, validated, then handed on.
import {
  type AckMessage,
  decodePayload,
  MAX_ACK_MESSAGE_BYTES,
  Topics,
  validateAck,
} from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';

/** The small part of an mqtt.js client this needs. */
export interface AckMqttClient {
  subscribe(topic: string, opts: { qos: 0 | 1 }, cb?: (err?: Error | null) => void): unknown;
  on(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown;
  on(event: 'connect', listener: () => void): unknown;
  off(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown;
  off(event: 'connect', listener: () => void): unknown;
  connected: boolean;
}

export interface CentralAcks {
  readonly counters: { messages: number; invalid: number };
  close(): void;
}

/**
 * Subscribes (QoS 1, on every connect: the edge's session is clean) to matthan/v1/_central/{site}/acks.
 * A payload that is too big, not JSON, off-contract or for another site is counted and dropped: the worst a
 * bad ack can do is nothing, because an event without a valid ack is simply re-sent.
 */
export function subscribeCentralAcks(
  client: AckMqttClient,
  site: string,
  onAck: (ack: AckMessage) => void,
  log: Logger,
): CentralAcks {
  const topic = Topics.acks(site);
  const counters = { messages: 0, invalid: 0 };
  const onMessage = (t: string, payload: Buffer) => {
    if (t !== topic) return;
    counters.messages++;
    const v = decodePayload(payload, validateAck, { maxBytes: MAX_ACK_MESSAGE_BYTES });
    const problem = !v.ok ? v.errors.join('; ') : v.value.site !== site ? `site ${v.value.site}` : undefined;
    if (problem !== undefined || !v.ok) {
      // First few only: a broken central must not flood the box's log.
      if (++counters.invalid <= 5) log.warn({ topic, reason: problem }, 'ack from central ignored');
      return;
    }
    onAck(v.value);
  };
  const subscribe = () => {
    client.subscribe(topic, { qos: 1 }, (err) => {
      if (err) log.warn({ topic, err: err.message }, 'ack subscription failed; events will be re-sent');
    });
  };
  client.on('message', onMessage);
  client.on('connect', subscribe);
  if (client.connected) subscribe();
  return {
    counters,
    close: () => {
      client.off('message', onMessage);
      client.off('connect', subscribe);
    },
  };
}
