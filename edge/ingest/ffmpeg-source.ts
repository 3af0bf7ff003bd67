// One camera's ffmpeg child: raw frames at model size on stdout, restarts with backoff, stall watchdog, polite stop.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../lib/log.ts';
import { maskArgs, maskUrl } from '../../lib/mask-url.ts';
import { frameOutputArgs, inputArgs } from './ffmpeg-args.ts';
import { type ContentRect, contentRect, type Frame, type FrameSpec } from './frame.ts';
import { FrameReader } from './frame-reader.ts';
import { probeVideo } from './probe.ts';
import type { ResolvedSource } from './source-url.ts';

export interface FfmpegSourceOptions {
  cameraId: string;
  source: ResolvedSource;
  transport: 'tcp' | 'udp';
  realtime: boolean;
  loop: boolean;
  fps: number;
  stallTimeoutS: number;
  spec: FrameSpec;
  log: Logger;
  onFrame: (frame: Frame) => void;
  onStatus: (state: 'online' | 'offline', reason?: string) => void;
  /** A non-looping file reached its end (no restart follows). */
  onEnd?: () => void;
  /** Backoff bounds for restarts. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

export class FfmpegSource {
  private child: Child | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private attempt = 0;
  private frameSeq = 0;
  /** Wall-clock ms of output frame 0 of the current ffmpeg run, and frames emitted in that run. */
  private runStartMs = 0;
  private runFrames = 0;
  private lastFrameAt = 0;
  private online = false;
  private sourceSize: { width: number; height: number } | undefined;
  private content: ContentRect | undefined;
  private lastError = '';
  framesIn = 0;
  restarts = 0;

  constructor(private readonly o: FfmpegSourceOptions) {}

  start(): void {
    this.stopping = false;
    void this.launch();
  }

  private async launch(): Promise<void> {
    if (this.stopping) return;
    try {
      if (!this.sourceSize) {
        const probe = await probeVideo(this.o.source.input, { rtspTransport: this.o.transport });
        this.sourceSize = { width: probe.width, height: probe.height };
        this.content = contentRect(this.o.spec, probe.width, probe.height);
      }
    } catch (err) {
      this.markOffline((err as Error).message);
      this.scheduleRestart();
      return;
    }
    if (this.stopping) return;
    const content = this.content!;
    const args = [...inputArgs(this.o), ...frameOutputArgs(this.o.spec, content, this.o.fps)];
    this.o.log.debug({ args: maskArgs(args) }, 'starting ffmpeg');
    const child = spawn('ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.runFrames = 0;
    const frameBytes = this.o.spec.width * this.o.spec.height * 3;
    const reader = new FrameReader(frameBytes, (data) => this.emitFrame(data));
    child.stdout.on('data', (chunk: Buffer) => reader.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = maskUrl(chunk.toString('utf8')).trim();
      if (text) {
        this.lastError = text.split('\n').pop() ?? text;
        this.o.log.warn({ ffmpeg: this.lastError }, 'ffmpeg stderr');
      }
    });
    child.stdin.on('error', () => undefined /* ffmpeg may exit before reading 'q' */);
    child.on('error', (err) => this.o.log.error({ err: err.message }, 'ffmpeg failed to start'));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      this.clearWatchdog();
      if (this.stopping) return;
      if (code === 0 && this.o.source.isFile && !this.o.loop) {
        this.online = false;
        this.o.onStatus('offline', 'end of file');
        this.o.onEnd?.();
        return;
      }
      const reason = this.lastError || `ffmpeg exited (code ${code}, signal ${signal})`;
      this.markOffline(reason);
      this.scheduleRestart();
    });
    this.armWatchdog();
  }

  private emitFrame(data: Buffer): void {
    this.lastFrameAt = Date.now();
    // The fps filter emits frames at a constant rate of stream time, so frame n of a run is n/fps after frame 0.
    // This is stream time mapped to wall clock: right for live cameras and for files read faster than real time.
    if (this.runFrames === 0) this.runStartMs = this.lastFrameAt;
    const tsMs = this.runStartMs + (this.runFrames * 1000) / this.o.fps;
    this.runFrames++;
    this.framesIn++;
    this.attempt = 0;
    if (!this.online) {
      this.online = true;
      this.lastError = '';
      this.o.onStatus('online');
    }
    this.o.onFrame({
      cameraId: this.o.cameraId,
      seq: this.frameSeq++,
      tsMs,
      spec: this.o.spec,
      content: this.content!,
      sourceWidth: this.sourceSize!.width,
      sourceHeight: this.sourceSize!.height,
      data,
    });
  }

  private markOffline(reason: string): void {
    const masked = maskUrl(reason);
    if (this.online || this.attempt === 0) this.o.onStatus('offline', masked);
    this.online = false;
    this.o.log.warn({ reason: masked }, 'camera offline');
  }

  private scheduleRestart(): void {
    if (this.stopping) return;
    const min = this.o.backoffMinMs ?? 1000;
    const max = this.o.backoffMaxMs ?? 30_000;
    const base = Math.min(max, min * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2); // "equal jitter" keeps many cameras from reconnecting in lockstep
    this.attempt++;
    this.restarts++;
    this.restartTimer = setTimeout(() => void this.launch(), delay);
  }

  private armWatchdog(): void {
    this.clearWatchdog();
    this.lastFrameAt = Date.now();
    const limitMs = this.o.stallTimeoutS * 1000;
    this.watchdog = setInterval(
      () => {
        if (Date.now() - this.lastFrameAt > limitMs && this.child) {
          this.lastError = `no frame for ${this.o.stallTimeoutS} s (stalled)`;
          this.child.kill('SIGKILL');
        }
      },
      Math.min(1000, limitMs / 2),
    );
  }

  private clearWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  /** Stops politely: 'q' on stdin, then SIGTERM, then SIGKILL. Resolves when the process is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.clearWatchdog();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const waitFor = (ms: number) =>
      Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    child.stdin.end('q');
    if (await waitFor(1500)) return;
    child.kill('SIGTERM');
    if (await waitFor(1500)) return;
    child.kill('SIGKILL');
    await exited;
  }
}
