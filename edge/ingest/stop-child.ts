// Stops a child politely: 'q' on stdin (ffmpeg finishes its files), then SIGTERM, then SIGKILL. Resolves when gone.
import type { ChildProcess } from 'node:child_process';

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
  const within = async (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return done;
  };
  if (child.stdin && !child.stdin.destroyed) {
    // ffmpeg may already be gone and the pipe closed; a write error then only means 'q' was not needed.
    child.stdin.once('error', () => undefined);
    child.stdin.end('q');
    if (await within(o.quitGraceMs ?? 1500)) return 'q';
  }
  child.kill('SIGTERM');
  if (await within(o.termGraceMs ?? 1500)) return 'SIGTERM';
  child.kill('SIGKILL');
  await exited;
  return 'SIGKILL';
}
