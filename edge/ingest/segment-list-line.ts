// Parses one line of the segment muxer's CSV list ("file,start,end" in stream seconds) written when a segment closes.
export interface SegmentListEntry {
  file: string;
  startS: number;
  endS: number;
}

export function parseSegmentListLine(line: string): SegmentListEntry | undefined {
  const text = line.trim();
  if (!text) return undefined;
  let file: string;
  let rest: string;
  if (text.startsWith('"')) {
    // CSV quoting (RFC 4180): the muxer quotes names with commas or quotes and doubles inner quotes.
    const end = text.indexOf('",', 1);
    if (end < 0) return undefined;
    file = text.slice(1, end).replaceAll('""', '"');
    rest = text.slice(end + 2);
  } else {
    const comma = text.indexOf(',');
    if (comma <= 0) return undefined;
    file = text.slice(0, comma);
    rest = text.slice(comma + 1);
  }
  const [start, end, ...extra] = rest.split(',');
  const startS = Number(start);
  const endS = Number(end);
  if (extra.length || !Number.isFinite(startS) || !Number.isFinite(endS) || endS < startS) return undefined;
  return { file, startS, endS };
}
