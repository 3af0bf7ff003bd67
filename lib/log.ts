// Structured logging (pino) to stderr, so stdout stays free for command output such as the demo summary.
import pino, { type Logger } from 'pino';

export type { Logger };

export const rootLogger: Logger = pino(
  {
    level: process.env.MATTHAN_LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info'),
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['password', '*.password', 'token', '*.token'], censor: '***' },
  },
  pino.destination(2),
);

export function logger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ component, ...bindings });
}
