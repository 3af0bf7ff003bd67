// The annotated snapshot's overlay as an SVG string: object box, zone polygon or line, and a caption bar.

export interface Annotation {
  width: number;
  height: number;
  boxXyxyNorm: readonly [number, number, number, number];
  /** Zone polygon, normalised 0..1. */
  zoneNorm?: readonly (readonly [number, number])[];
  /** Line polyline, normalised 0..1. */
  lineNorm?: readonly (readonly [number, number])[];
  /** e.g. "car 0.87" */
  label: string;
  /** Caption lines under the label: rule, local time, camera. */
  caption: readonly string[];
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
const px = (v: number, size: number) => Math.round(Math.min(1, Math.max(0, v)) * size * 10) / 10;

export function annotationSvg(a: Annotation): string {
  const { width: w, height: h } = a;
  // Strokes and text scale with the image so 720p and 4K snapshots look alike.
  const stroke = Math.max(2, Math.round(w / 480));
  const font = Math.max(12, Math.round(h / 36));
  const pts = (p: readonly (readonly [number, number])[]) =>
    p.map(([x, y]) => `${px(x, w)},${px(y, h)}`).join(' ');
  const parts: string[] = [];
  if (a.zoneNorm && a.zoneNorm.length >= 3)
    parts.push(
      `<polygon points="${pts(a.zoneNorm)}" fill="rgb(255,200,0)" fill-opacity="0.18" stroke="rgb(255,200,0)" stroke-width="${stroke}"/>`,
    );
  if (a.lineNorm && a.lineNorm.length >= 2)
    parts.push(
      `<polyline points="${pts(a.lineNorm)}" fill="none" stroke="rgb(255,60,60)" stroke-width="${stroke * 2}"/>`,
    );
  const [x1, y1, x2, y2] = a.boxXyxyNorm;
  const bx = px(Math.min(x1, x2), w);
  const by = px(Math.min(y1, y2), h);
  const bw = px(Math.max(x1, x2), w) - bx;
  const bh = px(Math.max(y1, y2), h) - by;
  parts.push(
    `<rect x="${bx}" y="${by}" width="${bw}" height="${bh}" fill="none" stroke="rgb(0,255,0)" stroke-width="${stroke}"/>`,
  );
  const labelY = by >= font + 4 ? by - 4 : by + bh + font;
  parts.push(
    `<text x="${bx}" y="${labelY}" font-family="DejaVu Sans, sans-serif" font-size="${font}" fill="rgb(0,255,0)" stroke="black" stroke-width="1">${esc(a.label)}</text>`,
  );
  const barH = (font + 6) * a.caption.length + 6;
  parts.push(`<rect x="0" y="${h - barH}" width="${w}" height="${barH}" fill="black" fill-opacity="0.6"/>`);
  a.caption.forEach((line, i) => {
    parts.push(
      `<text x="8" y="${h - barH + (i + 1) * (font + 6)}" font-family="DejaVu Sans, sans-serif" font-size="${font}" fill="white">${esc(line)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${parts.join('')}</svg>`;
}
