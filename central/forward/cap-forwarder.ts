// OASIS CAP 1.2 forwarder: alert/info/resource/area XML per message; Update and Cancel carry <references>.
import { type AlertMapping, alertMapping, type CapCertainty } from './alert-mapping.ts';
import type { CapForwarderConfig } from './forward-schema.ts';
import type { AlertMessage, Forwarder, RenderedMessage } from './forwarder.ts';
import { forwardedPlate } from './plate-fields.ts';
import { requestHeaders } from './request-headers.ts';
import { el, renderXml, type XmlElement } from './xml-writer.ts';

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';

/** CAP 1.2 §3.3.2 DateTime: explicit offset, UTC as "-00:00" (never "Z"), no fractional seconds. */
export function capTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}-00:00`;
}

const MSG_TYPE = { alert: 'Alert', update: 'Update', cancel: 'Cancel' } as const;

const EVIDENCE_MIME: Record<string, { mime: string; vi: string; en: string }> = {
  snapshot: { mime: 'image/jpeg', vi: 'Ảnh chụp có đánh dấu', en: 'Annotated snapshot' },
  snapshotClean: { mime: 'image/jpeg', vi: 'Ảnh chụp gốc', en: 'Clean snapshot' },
  clip: { mime: 'video/mp4', vi: 'Đoạn video', en: 'Video clip' },
  best: { mime: 'image/jpeg', vi: 'Ảnh rõ nhất', en: 'Best-frame snapshot' },
  plate: { mime: 'image/jpeg', vi: 'Ảnh biển số', en: 'Licence plate crop' },
};

/** Unreviewed detections are Likely (p > ~50%, CAP 1.2 §3.2.2); a reviewer's confirmation makes them Observed. */
export function capCertainty(message: AlertMessage): CapCertainty {
  return message.incident.status === 'confirmed' || message.review?.verdict === 'confirmed'
    ? 'Observed'
    : 'Likely';
}

export class CapForwarder implements Forwarder {
  constructor(readonly config: CapForwarderConfig) {}

  render(m: AlertMessage): RenderedMessage {
    const c = this.config;
    const mapping = alertMapping(m.incident.ruleType, m.incident.label);
    const references = m.references.map((r) => `${c.sender},${r.messageId},${capTime(r.sentMs)}`).join(' ');
    const alert = el(
      'alert',
      [
        el('identifier', m.messageId),
        el('sender', c.sender),
        el('sent', capTime(m.sentMs)),
        el('status', c.status),
        el('msgType', MSG_TYPE[m.kind]),
        el('source', `matthan ${m.incident.site}/${m.incident.camera}`),
        el('scope', c.scope),
        c.scope === 'Restricted' ? el('restriction', c.restriction) : undefined,
        m.kind === 'alert' ? undefined : el('note', this.note(m)),
        references ? el('references', references) : undefined,
        el('incidents', m.incident.id),
        // a Cancel says only what it cancels (CAP 1.2 §3.2.1 msgType); info blocks belong to live messages
        ...(m.kind === 'cancel' ? [] : c.languages.map((lang) => this.info(m, mapping, lang))),
      ],
      { xmlns: CAP_NAMESPACE },
    );
    return { contentType: 'application/cap+xml; charset=utf-8', body: renderXml(alert) };
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

  private note(m: AlertMessage): string {
    if (m.kind === 'cancel')
      return `Rejected in review by ${m.review?.reviewer ?? 'a reviewer'}${m.review?.note ? `: ${m.review.note}` : ''}`;
    if (m.review?.verdict === 'confirmed') return `Confirmed in review by ${m.review.reviewer}`;
    return m.incident.ended ? 'Incident ended' : 'Incident updated';
  }

  private info(m: AlertMessage, mapping: AlertMapping, lang: 'vi-VN' | 'en-US'): XmlElement {
    const vi = lang === 'vi-VN';
    const i = m.incident;
    const cameraName = m.camera?.name ?? i.camera;
    const event = vi ? mapping.event.vi : mapping.event.en;
    const when = new Date(i.firstTs).toISOString();
    const description = vi
      ? `${event}: ${i.label} tại camera ${cameraName} (${i.site}/${i.camera}) lúc ${when}, độ tin cậy ${i.confidence.toFixed(2)}.`
      : `${event}: ${i.label} at camera ${cameraName} (${i.site}/${i.camera}) at ${when}, confidence ${i.confidence.toFixed(2)}.`;
    const params: Array<[string, string]> = [
      ['incidentId', i.id],
      ['site', i.site],
      ['camera', i.camera],
      ['rule', i.rule],
      ['ruleType', i.ruleType],
      ['label', i.label],
      ['confidence', i.confidence.toFixed(3)],
      ['reviewStatus', i.status],
    ];
    const d = i.details ?? {};
    if (typeof d.speedKmh === 'number') params.push(['speedKmh', d.speedKmh.toFixed(1)]);
    if (typeof d.dwellS === 'number') params.push(['dwellS', d.dwellS.toFixed(1)]);
    if (typeof d.count === 'number') params.push(['count', String(d.count)]);
    // CAP 1.2 §3.2.2 parameter: system-specific name/value pairs; the plate and its ground colour (phạt nguội
    // records fine the plate, and the colour tells a private car from a commercial one).
    const plate = forwardedPlate(i.plate);
    if (plate?.text) {
      params.push(['licensePlate', plate.text]);
      params.push(['licensePlateColour', plate.colour]);
      params.push(['licensePlateConfidence', plate.confidence.toFixed(3)]);
      params.push(['licensePlateSource', plate.source]);
    } else if (plate) params.push(['licensePlate', 'unreadable']);
    const loc = m.camera?.location;
    return el('info', [
      el('language', lang),
      el('category', mapping.cap.category),
      el('event', event),
      el('urgency', mapping.cap.urgency),
      el('severity', mapping.cap.severity),
      el('certainty', capCertainty(m)),
      el('eventCode', [el('valueName', 'matthan:ruleType'), el('value', i.ruleType)]),
      el('onset', capTime(i.firstTs)),
      el('senderName', this.config.senderName),
      el('headline', `${event} - ${cameraName}`.slice(0, 160)),
      el('description', description),
      el('web', m.links.incident),
      ...params.map(([k, v]) => el('parameter', [el('valueName', k), el('value', v)])),
      ...Object.entries(m.links.evidence).map(([kind, uri]) => {
        const meta = EVIDENCE_MIME[kind] ?? { mime: 'application/octet-stream', vi: kind, en: kind };
        const file = m.evidenceFiles?.[kind];
        // CAP 1.2 §3.2.3, in the schema's order: size (bytes) and digest (SHA-1 of the file, FIPS 180-2).
        return el('resource', [
          el('resourceDesc', vi ? meta.vi : meta.en),
          el('mimeType', meta.mime),
          file ? el('size', String(file.bytes)) : undefined,
          el('uri', uri),
          file?.sha1 ? el('digest', file.sha1) : undefined,
        ]);
      }),
      el('area', [
        el('areaDesc', `${cameraName} (${i.site}/${i.camera})`),
        // CAP 1.2 §3.3.1 circle: "lat,lon radius" in WGS 84, radius km; 0 = the camera's own position
        loc ? el('circle', `${loc.lat},${loc.lon} 0`) : undefined,
      ]),
    ]);
  }
}
