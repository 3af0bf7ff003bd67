// Runs one short ffmpeg/ffprobe job for evidence (a cut, a frame grab) with a timeout; resolves with its stdout.
import { spawn } from 'node:child_process';

export class FfmpegJobError extends Error {}

/** An aborted signal kills the job (SIGKILL): the edge stopping does not wait for a long transcode. */
export function runFfmpeg(
  bin: 'ffmpeg' | 'ffprobe',
  args: string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new FfmpegJobError(`${bin} not started: aborted`));
      return;
    }
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (e) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(new FfmpegJobError(`${bin} could not start: ${e.message}`));
    });
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (code === 0) resolve(Buffer.concat(out));
      else {
        const why = signal?.aborted
          ? 'killed: the recorder is stopping'
          : sig
            ? `killed by ${sig} (timeout ${timeoutMs} ms)`
            : `exited ${code}`;
        reject(new FfmpegJobError(`${bin} ${why}: ${err.trim().slice(-500)}`));
      }
    });
  });
}
