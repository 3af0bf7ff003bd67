// Headers every forwarder sends: idempotency key, attempt, timestamp, HMAC-SHA256 signature, bearer token.
import { createHmac } from 'node:crypto';
import type { RenderedMessage } from './forwarder.ts';

export interface HeaderOptions {
  messageId: string;
  rendered: RenderedMessage;
  attempt: number;
  nowMs: number;
  secret?: string;
  token?: string;
}

/**
 * `sha256=` + hex HMAC-SHA256(secret, `{timestampS}.{body}`). The timestamp is signed with the body so a
 * receiver can refuse replays older than a few minutes (docs/IOC-INTEGRATION.md, "Verifying the signature").
 */
export function signBody(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`, 'utf8').digest('hex')}`;
}

export function requestHeaders(o: HeaderOptions): Record<string, string> {
  const timestampS = Math.floor(o.nowMs / 1000);
  const h: Record<string, string> = {
    'content-type': o.rendered.contentType,
    'user-agent': 'matthan-forwarder/1',
    // the same key on every attempt of one message: the receiver's dedup turns at-least-once into exactly-once
    'idempotency-key': o.messageId,
    'x-matthan-attempt': String(o.attempt),
    'x-matthan-timestamp': String(timestampS),
  };
  if (o.secret) h['x-matthan-signature'] = signBody(o.secret, timestampS, o.rendered.body);
  if (o.token) h.authorization = `Bearer ${o.token}`;
  return h;
}
