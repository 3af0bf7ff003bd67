// Starts and stops a real RTSP camera for tests: GStreamer's RTSP server (rtsp-server.py) on a free port.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rtsp-server.py');
const run = promisify(execFile);

export interface RtspServerOptions {
  /** The mp4 to serve (H.264 or H.265 video). */
  file: string;
  /** Mount path; default /cam. */
  path?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  codec?: 'h264' | 'h265';
  /** Basic auth; both or neither. */
  user?: string;
  password?: string;
  /** Serve the clip repeated this many times (a longer "camera" for reconnect tests); default 1. */
  loops?: number;
}

export interface RtspServer {
  port: number;
  /** rtsp://[user:password@]127.0.0.1:port/path */
  url: string;
  /** The same URL without credentials. */
  plainUrl: string;
  /** Kills the server (SIGTERM, then SIGKILL); resolves when it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop()). */
  restart(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open but no packet flows, like a hung camera. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
}

/** A copy of the clip repeated `loops` times (stream copy, cached in the temp dir across test files). */
async function loopedClip(file: string, loops: number): Promise<string> {
  if (loops <= 1) return file;
  const key = createHash('sha1').update(`${file}:${loops}`).digest('hex').slice(0, 12);
  const out = path.join(os.tmpdir(), `matthan-rtsp-loop-${key}.mp4`);
  if (existsSync(out)) return out;
  const partial = `${out}.${process.pid}.part.mp4`;
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-stream_loop',
    String(loops - 1),
    '-i',
    file,
    '-map',
    '0:v:0',
    '-c',
    'copy',
    partial,
  ]);
  renameSync(partial, out); // atomic, so a parallel test file never serves a half-written clip
  return out;
}

/**
 * An H.265 copy of a clip (libx265 re-encode, scaled to `height` lines, a keyframe a second as cameras send),
 * cached in the temp dir across test files: what an H.265 camera serves.
 */
export async function h265Clip(file: string, height = 720): Promise<string> {
  const key = createHash('sha1').update(`${file}:h265:${height}`).digest('hex').slice(0, 12);
  const out = path.join(os.tmpdir(), `matthan-h265-${key}.mp4`);
  if (existsSync(out)) return out;
  const partial = `${out}.${process.pid}.part.mp4`;
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-i',
    file,
    '-map',
    '0:v:0',
    '-vf',
    `scale=-2:${height}`,
    '-c:v',
    'libx265',
    '-preset',
    'ultrafast',
    '-x265-params',
    'keyint=30:log-level=error',
    '-tag:v',
    'hvc1',
    partial,
  ]);
  renameSync(partial, out);
  return out;
}

function launch(
  file: string,
  o: RtspServerOptions,
  port: number,
): Promise<{ child: ChildProcess; port: number }> {
  const args = [SCRIPT, '--file', file, '--port', String(port), '--path', o.path ?? '/cam'];
  args.push('--codec', o.codec ?? 'h264');
  if (o.user) args.push('--user', o.user);
  // In the environment, not in argv: the RTSP tests assert that no process list shows the password.
  const child = spawn('/usr/bin/python3', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RTSP_SERVER_PASSWORD: o.password ?? '' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rtsp-server.py did not become ready in 15 s: ${err}`));
    }, 15_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rtsp-server.py exited with ${code} before ready: ${err.trim()}`));
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGCONT'); // a paused server cannot act on SIGTERM
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await gone;
  clearTimeout(timer);
}

export async function startRtspServer(o: RtspServerOptions): Promise<RtspServer> {
  const file = await loopedClip(o.file, o.loops ?? 1);
  let { child, port } = await launch(file, o, o.port ?? 0);
  const mount = o.path ?? '/cam';
  const creds = o.user ? `${encodeURIComponent(o.user)}:${encodeURIComponent(o.password ?? '')}@` : '';
  const server: RtspServer = {
    port,
    url: `rtsp://${creds}127.0.0.1:${port}${mount}`,
    plainUrl: `rtsp://127.0.0.1:${port}${mount}`,
    stop: () => kill(child),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async restart() {
      await kill(child);
      // The port was just released; retry briefly in case the kernel has not let go of it yet.
      for (let attempt = 0; ; attempt++) {
        try {
          ({ child } = await launch(file, o, port));
          return;
        } catch (err) {
          if (attempt >= 10) throw err;
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    },
  };
  return server;
}
