// Minimal Cookie / Set-Cookie handling for the one session cookie (RFC 6265 §4.1, §5.2); no dependency needed.

/** Holds a server-side session id (never a token: central/auth/session-store.ts). */
export const SESSION_COOKIE = 'matthan_session';

/** Value of one cookie from a Cookie request header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      // A malformed %-escape is a bad cookie, not a server error: treat it as absent.
      return undefined;
    }
  }
  return undefined;
}

export interface CookieOptions {
  maxAgeS?: number;
  secure?: boolean;
}

/** A Set-Cookie value: HttpOnly (no script reads it), SameSite=Strict (no cross-site requests carry it). */
export function sessionCookie(value: string, opts: CookieOptions = {}): string {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (opts.maxAgeS !== undefined) parts.push(`Max-Age=${opts.maxAgeS}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

/** A Set-Cookie value that deletes the session cookie. */
export function clearedSessionCookie(secure = false): string {
  return sessionCookie('', { maxAgeS: 0, secure });
}
