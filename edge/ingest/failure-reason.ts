// Turns ffmpeg/ffprobe error output into a short reason an operator can act on (unauthorised, not found, ...).
export type FailureKind =
  | 'unauthorised'
  | 'not found'
  | 'unreachable'
  | 'unsupported codec'
  | 'stalled'
  | 'stream ended'
  | 'ffmpeg error';

export interface FailureReason {
  kind: FailureKind;
  /** The ffmpeg line that decided it (credentials already masked by the caller). */
  detail: string;
}

/** What the lines are about: an RTSP camera's garbage means something else than a file's. */
export interface FailureContext {
  rtsp?: boolean;
}

/** First match wins, so the specific causes are listed before the generic ones. */
const PATTERNS: {
  kind: FailureKind;
  re: RegExp;
  rtspDetail?: string;
  when?: (c: FailureContext) => boolean;
}[] = [
  { kind: 'unauthorised', re: /\b401\b|\b403\b|unauthori[sz]ed|forbidden|authori[sz]ation failed/i },
  // Before "not found": "Decoder (codec none) not found" and "moov atom not found" are about the content.
  {
    kind: 'unsupported codec',
    re: /decoder \(.*\) not found|decoder not found|unsupported codec|codec not supported|could not find codec parameters|unknown codec|no decoder|moov atom not found/i,
  },
  { kind: 'not found', re: /\b404\b|not found|no such file or directory/i },
  {
    kind: 'unreachable',
    re: /connection refused|timed out|timeout|network is unreachable|no route to host|name or service not known|failed to resolve|temporary failure in name resolution|connection reset|host is down|cannot assign requested address/i,
  },
  // An RTSP camera that gives ffmpeg "invalid data" before any RTSP error never answered as RTSP: the port accepts
  // and says nothing (a hung camera, a firewall that swallows), or something else listens there. Not a codec
  // problem: those come as "Could not find codec parameters" / "decoder not found" once DESCRIBE succeeded.
  {
    kind: 'unreachable',
    re: /invalid data found when processing input/i,
    when: (c) => c.rtsp === true,
    rtspDetail: 'the port accepted the connection but gave no RTSP answer within the timeout',
  },
  // Weakest: garbage where a container or bitstream was expected (wrong format, or a codec ffmpeg cannot parse).
  { kind: 'unsupported codec', re: /invalid data found when processing input/i },
  { kind: 'stream ended', re: /end of file|\beof\b|session.*(closed|terminated)/i },
];

/**
 * Classifies the error lines of one ffmpeg run. Lines are newest last; the newest line that matches a
 * known cause wins, because ffmpeg's last words usually restate the first error with the URL attached.
 */
export function classifyFailure(
  lines: readonly string[],
  fallback = 'ffmpeg exited',
  context: FailureContext = {},
): FailureReason {
  for (const { kind, re, when, rtspDetail } of PATTERNS) {
    if (when && !when(context)) continue;
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!;
      if (re.test(line)) return { kind, detail: rtspDetail ? `${rtspDetail} (${line})` : line };
    }
  }
  const last = lines.at(-1);
  return { kind: 'ffmpeg error', detail: last ?? fallback };
}

/** "unauthorised: method DESCRIBE failed: 401 Unauthorized", capped to the status message's 256 chars. */
export function formatReason(r: FailureReason): string {
  const text = r.detail ? `${r.kind}: ${r.detail}` : r.kind;
  return text.length > 256 ? `${text.slice(0, 253)}...` : text;
}
