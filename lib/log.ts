// Structured logging (pino) to stderr, so stdout stays free for command output such as the demo summary.
// Every line is bounded: strings, arrays and nesting in what is logged are clipped (a hostile payload's reason
// once made a 171 MB log line), whatever the caller passed.
import pino, { type Logger } from 'pino';

export type { Logger };

/** Characters of one logged string at most. */
export const LOG_STRING_CHARS = 1000;
/** Items of one logged array at most. */
const LOG_ARRAY_ITEMS = 20;
/** Levels of a logged object walked; deeper values become a placeholder. */
const LOG_DEPTH = 4;

/** A copy of `v` with long strings and arrays clipped and deep nesting cut; cheap for the small objects we log. */
export function clipForLog(v: unknown, depth = LOG_DEPTH): unknown {
  if (typeof v === 'string')
    return v.length > LOG_STRING_CHARS ? `${v.slice(0, LOG_STRING_CHARS)}...(${v.length} chars)` : v;
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Error) return clipError(v);
  if (depth <= 0) return Array.isArray(v) ? `[${v.length} items]` : '{...}';
  if (Array.isArray(v)) {
    const head = v.slice(0, LOG_ARRAY_ITEMS).map((x) => clipForLog(x, depth - 1));
    return v.length > LOG_ARRAY_ITEMS ? [...head, `...(${v.length} items)`] : head;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = clipForLog(x, depth - 1);
  return out;
}

/** The same error (prototype kept, so pino still serialises it as one, with its type) with message and stack clipped. */
function clipError(e: Error): Error {
  const out = Object.create(Object.getPrototypeOf(e)) as Error & { code?: unknown };
  out.message = clipForLog(e.message) as string;
  if (e.stack !== undefined) out.stack = clipForLog(e.stack) as string;
  const code = (e as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  return out;
}

export const rootLogger: Logger = pino(
  {
    level: process.env.MATTHAN_LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info'),
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['password', '*.password', 'token', '*.token'], censor: '***' },
    formatters: { log: (obj) => clipForLog(obj) as Record<string, unknown> },
    hooks: {
      // The message string and a bare error argument, which formatters.log does not see.
      logMethod(args, method) {
        method.apply(this, args.map((a) => clipForLog(a)) as Parameters<typeof method>);
      },
    },
  },
  pino.destination(2),
);

export function logger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ component, ...bindings });
}
