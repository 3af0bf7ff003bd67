// One printable A4 page in Vietnamese with the fields of a cold-fine record (pdfkit, Noto Sans for the diacritics).
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { WorkstationDetail } from '../reviews/review-workstation.ts';
import { COLOUR_VI, EVIDENCE_VI, LABEL_VI, REASON_VI, RULE_VI, SIGNAL_VI, STATUS_VI } from './vi-labels.ts';

/** Debian fonts-noto-core: a sans with every Vietnamese glyph (the PDF base fonts have none of ơ, ư, ạ...). */
export const NOTO_DIR = '/usr/share/fonts/truetype/noto';
const REGULAR = `${NOTO_DIR}/NotoSans-Regular.ttf`;
const BOLD = `${NOTO_DIR}/NotoSans-Bold.ttf`;

export interface FineRecordInput {
  detail: WorkstationDetail;
  /** Display name and position of the camera (inventory or the edge's scene). */
  camera: { name?: string; location?: { lat: number; lon: number } };
  /** The annotated snapshot to print, when central has it. */
  snapshotJpeg?: Buffer;
  /** Who exported and when (printed in the footer). */
  exportedBy: string;
  exportedAt: number;
  timezone: string;
}

/** "23/11/2026 14:05:09" in the given zone, 24-hour. */
export function viDateTime(ms: number, timeZone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('vi-VN', {
      timeZone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second}`;
}

/** The plate if the incident carries one (the plates feature adds it), else undefined. */
function plateOf(d: WorkstationDetail): { text?: string; colour?: string } | undefined {
  const p = (d as unknown as { plate?: unknown }).plate ?? d.details?.plate;
  if (!p || typeof p !== 'object') return undefined;
  const o = p as Record<string, unknown>;
  const corrected =
    o.corrected && typeof o.corrected === 'object' ? (o.corrected as Record<string, unknown>) : undefined;
  const text = corrected?.text ?? o.text;
  return {
    ...(typeof text === 'string' ? { text } : {}),
    ...(typeof o.colour === 'string' ? { colour: o.colour } : {}),
  };
}

/** Renders the record; resolves with the PDF bytes. */
export async function fineRecordPdf(input: FineRecordInput): Promise<Buffer> {
  if (!existsSync(REGULAR) || !existsSync(BOLD))
    throw new Error(`Vietnamese font missing: install the Debian package fonts-noto-core (${REGULAR})`);
  const { detail: d, camera, timezone } = input;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: {
      Title: `Biên bản ghi nhận vi phạm ${d.id}`,
      Author: 'Mắt thần',
      Subject: RULE_VI[d.ruleType] ?? d.ruleType,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', REGULAR);
  doc.registerFont('bold', BOLD);

  doc.font('bold').fontSize(15).text('BIÊN BẢN GHI NHẬN HÌNH ẢNH VI PHẠM', { align: 'center' });
  doc
    .font('regular')
    .fontSize(9)
    .fillColor('#555')
    .text('Hệ thống giám sát giao thông Mắt thần', { align: 'center' });
  doc.moveDown(0.8).fillColor('#000');

  const review = [...d.reviews].reverse().find((r) => r.kind === 'verdict');
  const plate = plateOf(d);
  const scenes = d.scene;
  const ruleName = scenes?.rules.find((r) => r.id === d.rule)?.name;
  const place = camera.location
    ? `${camera.name ?? d.camera} (${camera.location.lat.toFixed(5)}, ${camera.location.lon.toFixed(5)})`
    : (camera.name ?? d.camera);
  const rows: [string, string][] = [
    ['Mã vụ việc', `${d.id} (phiên bản ${d.version})`],
    ['Thời gian vi phạm', `${viDateTime(d.firstTs, timezone)} (${timezone})`],
    ['Địa điểm', place],
    ['Camera', `${camera.name ?? d.camera} — ${d.site}/${d.camera}`],
    ['Hành vi vi phạm', `${RULE_VI[d.ruleType] ?? d.ruleType}${ruleName ? ` — ${ruleName}` : ''}`],
    ['Phương tiện', LABEL_VI[d.label] ?? d.label],
    [
      'Biển số / màu biển',
      plate?.text
        ? `${plate.text}${plate.colour ? ` / nền ${COLOUR_VI[plate.colour] ?? plate.colour}` : ''}`
        : 'Chưa xác định',
    ],
  ];
  const details = d.details ?? {};
  if (typeof details.speedKmh === 'number') rows.push(['Tốc độ', `${details.speedKmh.toFixed(1)} km/h`]);
  if (typeof details.signal === 'string')
    rows.push(['Đèn tín hiệu', SIGNAL_VI[details.signal] ?? String(details.signal)]);
  if (typeof details.dwellS === 'number') rows.push(['Thời gian dừng', `${Math.round(details.dwellS)} giây`]);
  rows.push(['Trạng thái', STATUS_VI[d.status] ?? d.status]);
  if (review) {
    rows.push(['Người duyệt', review.reviewer]);
    rows.push(['Thời điểm duyệt', viDateTime(review.createdAt, timezone)]);
    rows.push([
      'Kết luận',
      `${STATUS_VI[review.verdict] ?? review.verdict}${review.reason ? ` — ${REASON_VI[review.reason] ?? review.reason}` : ''}${review.override ? ' (xác nhận khi thiếu chứng cứ)' : ''}`,
    ]);
    if (review.note) rows.push(['Ghi chú', review.note]);
  } else {
    rows.push(['Người duyệt', 'Chưa duyệt']);
  }

  const labelW = 140;
  const x0 = doc.page.margins.left;
  const valueW = doc.page.width - doc.page.margins.left - doc.page.margins.right - labelW;
  for (const [label, value] of rows) {
    const y = doc.y;
    doc
      .font('bold')
      .fontSize(10)
      .text(label, x0, y, { width: labelW - 8 });
    const afterLabel = doc.y;
    doc
      .font('regular')
      .fontSize(10)
      .text(value, x0 + labelW, y, { width: valueW });
    doc.y = Math.max(afterLabel, doc.y) + 3;
  }

  if (input.snapshotJpeg) {
    doc.moveDown(0.5);
    const w = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    try {
      doc.image(input.snapshotJpeg, x0, doc.y, { fit: [w, 230], align: 'center' });
      doc.y += 236;
    } catch (err) {
      doc
        .font('regular')
        .fontSize(9)
        .text(`(Không in được ảnh: ${(err as Error).message})`);
    }
  }

  doc.moveDown(0.4);
  doc.font('bold').fontSize(10).text('Chứng cứ điện tử (SHA-256)', x0);
  doc.font('regular').fontSize(7.5);
  for (const [kind, st] of Object.entries(d.evidenceStatus)) {
    const name = EVIDENCE_VI[kind] ?? kind;
    const line =
      st.state === 'available'
        ? `${name} — ${st.id} — ${st.bytes} byte — ${st.sha256}`
        : `${name} — ${st.id} — không có trên máy chủ (${st.state}${st.reason ? `: ${st.reason}` : ''})`;
    doc.text(line, x0, doc.y, { width: doc.page.width - doc.page.margins.left - doc.page.margins.right });
  }
  doc.moveDown(0.6);
  doc
    .font('regular')
    .fontSize(8)
    .fillColor('#555')
    .text(`Xuất bởi ${input.exportedBy} lúc ${viDateTime(input.exportedAt, timezone)}.`, x0);
  doc.end();
  return done;
}
