// Masks credentials in URLs (rtsp://user:pass@host -> rtsp://user:***@host) for logs and status reasons.
const CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]+):([^@/\s]+)@/gi;

export function maskUrl(text: string): string {
  return text.replace(CREDENTIALS, '$1$2:***@');
}

/** Masks every URL inside an argument list (ffmpeg command lines). */
export function maskArgs(args: readonly string[]): string[] {
  return args.map(maskUrl);
}
