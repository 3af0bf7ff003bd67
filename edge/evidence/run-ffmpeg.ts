// Runs one short ffmpeg/ffprobe job for evidence (a cut, a frame grab) with a timeout; resolves with its stdout.
import { spawn } from 'node:child_process';

export class FfmpegJobError extends Error {}

export function runFfmpeg(bin: 'ffmpeg' | 'ffprobe', args: string[], timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new FfmpegJobError(`${bin} could not start: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          new FfmpegJobError(
            `${bin} ${signal ? `killed by ${signal} (timeout ${timeoutMs} ms)` : `exited ${code}`}: ${err.trim().slice(-500)}`,
          ),
        );
    });
  });
}
