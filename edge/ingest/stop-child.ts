// Stops a child politely: 'q' on stdin (ffmpeg finishes its files), then SIGTERM, then SIGKILL. Resolves when gone.
import type { ChildProcess } from 'node:child_process';
import { within } from '../../lib/within.ts';

export interface StopChildOptions {
  /** Wait after 'q' before SIGTERM. */
  quitGraceMs?: number;
  /** Wait after SIGTERM before SIGKILL. */
  termGraceMs?: number;
}

export async function stopChild(
  child: ChildProcess,
  o: StopChildOptions = {},
): Promise<'q' | 'SIGTERM' | 'SIGKILL' | 'gone'> {
  if (child.exitCode !== null || child.signalCode !== null) return 'gone';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const exitedWithin = (ms: number) => within(exited, ms);
  if (child.stdin && !child.stdin.destroyed) {
    // ffmpeg may already be gone and the pipe closed; a write error then only means 'q' was not needed.
    child.stdin.once('error', () => undefined);
    child.stdin.end('q');
    if (await exitedWithin(o.quitGraceMs ?? 1500)) return 'q';
  }
  child.kill('SIGTERM');
  if (await exitedWithin(o.termGraceMs ?? 1500)) return 'SIGTERM';
  child.kill('SIGKILL');
  await exited;
  return 'SIGKILL';
}
