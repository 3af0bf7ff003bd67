// The Forwarder interface: one IOC format (webhook, CAP 1.2, NGSI-LD) that renders alert messages and signs requests.
import type { Incident } from '../store/incident-store.ts';
import type { ForwarderConfig } from './forward-schema.ts';

/** Alert = first message of an incident; Update = it changed or was confirmed; Cancel = rejected in review. */
export type MessageKind = 'alert' | 'update' | 'cancel';

/** A message sent earlier for the same incident to the same forwarder (CAP <references>). */
export interface SentRef {
  messageId: string;
  sentMs: number;
}

export interface CameraInfo {
  site: string;
  id: string;
  name?: string;
  location?: { lat: number; lon: number };
}

export interface ReviewInfo {
  verdict: 'confirmed' | 'rejected';
  reviewer: string;
  note?: string;
}

/** Everything a forwarder needs to render one message; built once, when the message enters the outbox. */
export interface AlertMessage {
  kind: MessageKind;
  /** `{forwarderId}.{incidentId}.{seq}`: the idempotency key and the CAP identifier. */
  messageId: string;
  seq: number;
  sentMs: number;
  incident: Incident;
  camera?: CameraInfo;
  review?: ReviewInfo;
  /** Earlier messages of this incident to this forwarder, oldest first. */
  references: SentRef[];
  links: { incident: string; evidence: Record<string, string> };
  /** Size and digests of the evidence files central holds now, by kind (files still uploading are absent). */
  evidenceFiles?: Record<string, EvidenceFile>;
}

export interface EvidenceFile {
  bytes: number;
  /** sha256 hex: what the edge declared and central checked on upload. */
  sha256: string;
  /** SHA-1 hex, CAP 1.2 §3.2.3 resource/digest; null for files stored before it was kept. */
  sha1: string | null;
}

export interface RenderedMessage {
  contentType: string;
  body: string;
}

export interface Forwarder {
  readonly config: ForwarderConfig;
  /** Pure: the bytes of one message. Stored in the outbox, so every retry sends the same body. */
  render(message: AlertMessage): RenderedMessage;
  /** Pure: the request headers of one attempt (auth, signature over the body, idempotency key). */
  headers(
    messageId: string,
    rendered: RenderedMessage,
    attempt: number,
    nowMs: number,
  ): Record<string, string>;
}
