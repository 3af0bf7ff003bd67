// Webhook forwarder: one JSON document per message, signed with HMAC-SHA256 and keyed for idempotency.
import { alertMapping, type CapSeverity } from './alert-mapping.ts';
import { capCertainty } from './cap-forwarder.ts';
import type { WebhookForwarderConfig } from './forward-schema.ts';
import type { AlertMessage, Forwarder, RenderedMessage } from './forwarder.ts';
import { type ForwardedPlate, forwardedPlate } from './plate-fields.ts';
import { requestHeaders } from './request-headers.ts';

/** The JSON body (documented field by field in docs/IOC-INTEGRATION.md). */
export interface WebhookPayload {
  type: `incident.${AlertMessage['kind']}`;
  messageId: string;
  seq: number;
  sentAt: string;
  references: string[];
  incident: AlertMessage['incident'];
  camera: AlertMessage['camera'] | null;
  classification: {
    event: { vi: string; en: string };
    severity: CapSeverity;
    certainty: string;
  };
  review: AlertMessage['review'] | null;
  /** The plate as it stands (reviewer's correction, else the machine read); null when the incident has none. */
  plate: ForwardedPlate | null;
  links: AlertMessage['links'];
  /** bytes, sha256 and sha1 of each evidence file central holds, by kind. */
  evidenceFiles: NonNullable<AlertMessage['evidenceFiles']>;
}

export class WebhookForwarder implements Forwarder {
  constructor(readonly config: WebhookForwarderConfig) {}

  render(m: AlertMessage): RenderedMessage {
    const mapping = alertMapping(m.incident.ruleType, m.incident.label);
    const payload: WebhookPayload = {
      type: `incident.${m.kind}`,
      messageId: m.messageId,
      seq: m.seq,
      sentAt: new Date(m.sentMs).toISOString(),
      references: m.references.map((r) => r.messageId),
      incident: m.incident,
      camera: m.camera ?? null,
      classification: { event: mapping.event, severity: mapping.cap.severity, certainty: capCertainty(m) },
      review: m.review ?? null,
      plate: forwardedPlate(m.incident.plate) ?? null,
      links: m.links,
      evidenceFiles: m.evidenceFiles ?? {},
    };
    return { contentType: 'application/json', body: JSON.stringify(payload) };
  }

  headers(
    messageId: string,
    rendered: RenderedMessage,
    attempt: number,
    nowMs: number,
  ): Record<string, string> {
    return requestHeaders({
      messageId,
      rendered,
      attempt,
      nowMs,
      secret: this.config.secret,
      token: this.config.token,
    });
  }
}
