// Masks credentials in URLs (rtsp://user:pass@host -> rtsp://user:***@host) for logs and status reasons.

// The userinfo runs to the LAST '@' before the path, so a password holding a raw '@' is masked whole.
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^/\s]*)@/gi;

export function maskUrl(text: string): string {
  return text.replace(USERINFO, (match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? match : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

/** Masks every URL inside an argument list (ffmpeg command lines). */
export function maskArgs(args: readonly string[]): string[] {
  return args.map(maskUrl);
}
