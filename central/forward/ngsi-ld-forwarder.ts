// FIWARE NGSI-LD forwarder: the incident as a normalized `Alert` entity, sent as a batch upsert (idempotent).
import { alertMapping, ngsiSeverity } from './alert-mapping.ts';
import type { NgsiLdForwarderConfig } from './forward-schema.ts';
import type { AlertMessage, Forwarder, RenderedMessage } from './forwarder.ts';
import { forwardedPlate } from './plate-fields.ts';
import { requestHeaders } from './request-headers.ts';

type Attribute =
  | { type: 'Property'; value: unknown }
  | { type: 'GeoProperty'; value: { type: 'Point'; coordinates: [number, number] } };

const dateTime = (ms: number) => ({ '@type': 'DateTime', '@value': new Date(ms).toISOString() });
const prop = (value: unknown): Attribute => ({ type: 'Property', value });

/** One entity per incident, so every message of an incident updates the same entity. */
export function ngsiAlertId(incidentId: string): string {
  return `urn:ngsi-ld:Alert:matthan:${incidentId}`;
}

/** The normalized NGSI-LD entity (Property / GeoProperty per attribute). */
export function ngsiAlertEntity(m: AlertMessage, context: string[]): Record<string, unknown> {
  const i = m.incident;
  const mapping = alertMapping(i.ruleType, i.label);
  const cameraName = m.camera?.name ?? i.camera;
  const evidence = Object.values(m.links.evidence);
  const plate = forwardedPlate(i.plate);
  const entity: Record<string, unknown> = {
    id: ngsiAlertId(i.id),
    type: 'Alert',
    // the camera is the source; an NGSI-LD Device id (matches the Alert schema's entity-id pattern)
    alertSource: prop(`urn:ngsi-ld:Device:matthan:${i.site}:${i.camera}`),
    category: prop(mapping.ngsi.category),
    ...(mapping.ngsi.subCategory ? { subCategory: prop(mapping.ngsi.subCategory) } : {}),
    severity: prop(ngsiSeverity(mapping.cap.severity)),
    name: prop(`${mapping.event.en} - ${cameraName}${plate?.text ? ` - ${plate.text}` : ''}`),
    description: prop(
      `${mapping.event.vi} / ${mapping.event.en}: ${i.label} at ${cameraName} (${i.site}/${i.camera})`,
    ),
    dateIssued: prop(dateTime(m.sentMs)),
    validFrom: prop(dateTime(i.firstTs)),
    // a rejected incident is withdrawn: it stops being valid when the reviewer said so
    ...(m.kind === 'cancel' ? { validTo: prop(dateTime(m.sentMs)) } : {}),
    source: prop(m.links.incident),
    ...(evidence.length ? { seeAlso: prop(evidence) } : {}),
    data: prop({
      incidentId: i.id,
      messageId: m.messageId,
      messageType: m.kind,
      site: i.site,
      camera: i.camera,
      rule: i.rule,
      ruleType: i.ruleType,
      label: i.label,
      confidence: i.confidence,
      reviewStatus: m.kind === 'cancel' ? 'rejected' : i.status,
      ended: i.ended,
      evidence: m.links.evidence,
      ...(m.evidenceFiles && Object.keys(m.evidenceFiles).length
        ? {
            evidenceSha256: Object.fromEntries(
              Object.entries(m.evidenceFiles).map(([kind, f]) => [kind, f.sha256]),
            ),
          }
        : {}),
      ...(m.review ? { review: m.review } : {}),
      // The Alert model has no plate attribute; `data` is its free-form payload.
      ...(plate ? { licensePlate: plate } : {}),
    }),
    '@context': context,
  };
  const loc = m.camera?.location;
  // GeoJSON order is [lon, lat]
  if (loc)
    entity.location = { type: 'GeoProperty', value: { type: 'Point', coordinates: [loc.lon, loc.lat] } };
  return entity;
}

export class NgsiLdForwarder implements Forwarder {
  constructor(readonly config: NgsiLdForwarderConfig) {}

  /** A one-entity array for POST /ngsi-ld/v1/entityOperations/upsert: create or update, so retries are harmless. */
  render(m: AlertMessage): RenderedMessage {
    return {
      contentType: 'application/ld+json',
      body: JSON.stringify([ngsiAlertEntity(m, this.config.context)]),
    };
  }

  headers(
    messageId: string,
    rendered: RenderedMessage,
    attempt: number,
    nowMs: number,
  ): Record<string, string> {
    const h = requestHeaders({
      messageId,
      rendered,
      attempt,
      nowMs,
      secret: this.config.secret,
      token: this.config.token,
    });
    if (this.config.tenant) h['ngsild-tenant'] = this.config.tenant;
    return h;
  }
}
