// One camera's ffmpeg child: model-size frames on stdout, ring segments on disk, reasons from stderr, restarts
// with backoff, a stall watchdog and a polite stop.
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from '../../lib/log.ts';
import { maskArgs, maskUrl } from '../../lib/mask-url.ts';
import { backoffDelayMs } from './backoff.ts';
import { cropPixels } from './crop-pixels.ts';
import { classifyFailure, type FailureReason, formatReason } from './failure-reason.ts';
import { ffmpegArgs, inputLists, RING_BSF, type SkipFrames } from './ffmpeg-args.ts';
import { type FrameInfo, parseFfmpegLine } from './ffmpeg-log-line.ts';
import {
  type ContentRect,
  contentRect,
  type Frame,
  type FrameCrop,
  type FrameSpec,
  frameBytes,
} from './frame.ts';
import { FrameReader } from './frame-reader.ts';
import { ProbeError, probeVideo } from './probe.ts';
import { parseSegmentListLine, type SegmentListEntry } from './segment-list-line.ts';
import type { SegmentRing } from './segment-ring.ts';
import type { ResolvedSource } from './source-url.ts';
import { stopChild } from './stop-child.ts';
import { StreamClock } from './stream-clock.ts';

export type SourceState = 'starting' | 'online' | 'offline' | 'ended' | 'stopped';
type CropRect = FrameCrop['rectNorm'];

export interface FfmpegSourceOptions {
  cameraId: string;
  source: ResolvedSource;
  transport: 'tcp' | 'udp';
  realtime: boolean;
  loop: boolean;
  skipLoopFilter?: boolean;
  /** See SourceSchema.skipFrames and analysisUrl (ffmpeg-args.ts). */
  skipFrames?: SkipFrames;
  analysisSource?: ResolvedSource;
  /** nice(1) value of the ffmpeg child, 0 (as node) .. 19 (see SourceSchema.decodeNice). */
  decodeNice?: number;
  fps: number;
  stallTimeoutS: number;
  spec: FrameSpec;
  log: Logger;
  onFrame: (frame: Frame) => void;
  /** Called on every change of state, and again when the reason for being offline changes. */
  onStatus: (state: 'online' | 'offline', reason?: string) => void;
  /** A non-looping file reached its end (no restart follows). */
  onEnd?: () => void;
  /** Encoded segments of the same stream are written here when set. */
  ring?: SegmentRing;
  /**
   * Detection crops for a source of this size ([x1, y1, x2, y2] normalised; edge/detect/detect-regions.ts),
   * planned once after the first probe. Each frame then carries them scaled to `spec` in `Frame.crops`.
   */
  planCrops?: (sourceWidth: number, sourceHeight: number) => readonly CropRect[];
  /** Backoff bounds for restarts (default 1 s .. 30 s). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Grace after 'q' and after SIGTERM when stopping (default 1.5 s each). */
  stopGraceMs?: number;
  /** After the ring output fails, ingest runs without it this long, then restarts ffmpeg with it (default 60 s). */
  ringRetryMs?: number;
}

/** Stderr warning/error lines kept per run for classifying a failure. */
const ERROR_TAIL = 20;
/** Error lines logged per run at warn level; the rest go to debug (a broken stream can print thousands). */
const LOGGED_ERRORS_PER_RUN = 5;
/** Warnings that say nothing about why a source failed (full-range YUV from IP cameras, MP4 edit lists). */
const NOISE = /deprecated pixel format|non-monotonous dts|changing to \d+\. this may result/i;
/** Frames held while their showinfo line is still in the stderr pipe; past this they go with an estimate. */
const MAX_UNPAIRED = 3;
/** Status reason published when ingest is stopped while the camera was online. */
export const STOPPED_REASON = 'stopped: ingest shut down';
/** Ring segment times follow stream time end to start unless that drifts this far from the frame clock. */
const SEGMENT_REANCHOR_MS = 250;
/** Consecutive failed runs after which the source is probed again before the next start. */
const REPROBE_AFTER_FAILURES = 3;
/** After the ring output fails (disk full, unwritable), ingest runs without it this long before trying again. */
export const RING_RETRY_MS = 60_000;

/** An ffmpeg error line about the ring output rather than the camera. */
function isRingError(line: string, ringDir: string): boolean {
  return (
    line.includes(ringDir) ||
    /^segment: /.test(line) ||
    /no space left on device|read-only file system/i.test(line)
  );
}

/** A run that delivered frames this long counts as healthy: the next failure starts the backoff over. */
const HEALTHY_RUN_MS = 5000;

export class FfmpegSource {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private probeAbort: AbortController | undefined;
  private attempt = 0;
  private frameSeq = 0;
  private codec: string | undefined;
  private readonly clock: StreamClock;
  private readonly contentBySize = new Map<string, ContentRect>();
  private lastSource = { width: 0, height: 0 };
  private lastReasonKind: string | undefined;
  /** The detection crops (planCrops), fixed after the first probe; empty: the detector gets the whole frame. */
  private crops: readonly CropRect[] | undefined;

  // Per-run state.
  private runFrames = 0;
  private runFirstFrameAt = 0;
  private lastProgressAt = 0;
  private errorTail: string[] = [];
  private loggedErrors = 0;
  private stallReason: FailureReason | undefined;
  private infos = new Map<number, FrameInfo>();
  private unpaired: { data: Buffer; index: number; arrivalMs: number }[] = [];
  private rawIndex = 0;
  /** showinfo lines seen this run. Pairing is by order, not by showinfo's n, which restarts at 0 whenever
   * ffmpeg rebuilds the filter graph (a camera changing resolution mid-stream). */
  private infoIndex = 0;
  private lastPtsS = Number.NaN;
  private lastSegment: { endS: number; endMs: number } | undefined;
  private pendingSegments: SegmentListEntry[] = [];
  /** End of the newest ring segment, across runs. */
  private ringEndMs = Number.NEGATIVE_INFINITY;
  private ringActive = false;
  private ringSuspendedUntil = 0;
  private ringRetryTimer: NodeJS.Timeout | undefined;
  private plannedRestart = false;

  state: SourceState = 'starting';
  reason: string | undefined;
  framesIn = 0;
  restarts = 0;
  /** Frames whose stream time had to be estimated (showinfo line late or missing). */
  framesEstimated = 0;
  /** Times a looping file was started again from its beginning. */
  loops = 0;
  /** Times the ring output failed and was suspended for RING_RETRY_MS. */
  ringFailures = 0;

  constructor(private readonly o: FfmpegSourceOptions) {
    this.clock = new StreamClock(o.source.isFile ? 'file' : 'live', 1000 / o.fps);
  }

  start(): void {
    this.stopping = false;
    void this.launch();
  }

  private async launch(): Promise<void> {
    if (this.stopping) return;
    // ffprobe once: the codec decides whether and how the ring can copy the stream.
    if (!this.codec) {
      this.probeAbort = new AbortController();
      try {
        const probe = await probeVideo(this.o.source.input, {
          rtspTransport: this.o.transport,
          signal: this.probeAbort.signal,
        });
        this.codec = probe.codec;
        this.crops ??= this.o.planCrops?.(probe.width, probe.height) ?? [];
      } catch (err) {
        if (this.stopping) return;
        const lines = err instanceof ProbeError ? err.lines : [maskUrl((err as Error).message)];
        this.markOffline(classifyFailure(lines, undefined, { rtsp: this.o.source.isRtsp }));
        this.scheduleRestart();
        return;
      }
    }
    if (this.stopping) return;
    this.spawnRun();
  }

  /** The ring for the next run, or undefined when the codec cannot be copied or the ring is suspended. */
  private ringForRun(now: number): { ring: SegmentRing; pattern: string } | undefined {
    const ring = this.o.ring;
    if (!ring || now < this.ringSuspendedUntil) return undefined;
    if (!this.codec || !RING_BSF[this.codec]) {
      this.o.log.warn({ codec: this.codec }, 'ring buffer disabled: codec cannot be copied into MPEG-TS');
      return undefined;
    }
    try {
      return { ring, pattern: ring.beginRun(now) };
    } catch (err) {
      this.suspendRing(now, (err as Error).message);
      return undefined;
    }
  }

  /** Ring trouble (disk full, directory not writable) must not take the camera down: frames go on without it. */
  private suspendRing(now: number, why: string): void {
    const retryMs = this.o.ringRetryMs ?? RING_RETRY_MS;
    this.ringSuspendedUntil = now + retryMs;
    this.ringFailures++;
    this.o.log.error(
      { err: why, retryInS: retryMs / 1000 },
      'ring buffer failed; ingest continues without it',
    );
  }

  private spawnRun(): void {
    const now = Date.now();
    const r = this.ringForRun(now);
    const ring = r?.ring;
    this.ringActive = !!ring;
    const stdio: 'pipe'[] = ring ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'];
    // A URL with credentials goes to ffmpeg through a pipe of its own, never on its command line (ps shows that).
    const input = {
      ...this.o,
      listFd: stdio.length,
      crops: this.crops,
      ring: r ? { pattern: r.pattern, segmentS: r.ring.segmentS, codec: this.codec! } : undefined,
    };
    const lists = inputLists(input);
    for (const _ of lists) stdio.push('pipe');
    const args = ffmpegArgs(input);
    this.o.log.debug({ args: maskArgs(args) }, 'starting ffmpeg');
    const child = spawn('ffmpeg', args, { stdio });
    for (const { fd, text } of lists) {
      const pipe = child.stdio[fd] as NodeJS.WritableStream & {
        on(e: 'error', l: (err: Error) => void): unknown;
      };
      // ffmpeg may exit before it reads the list (a bad option): its stderr says why, the pipe error adds nothing.
      pipe.on('error', (err) => this.o.log.debug({ err: err.message }, 'ffmpeg input list pipe closed'));
      pipe.end(text);
    }
    this.child = child;
    this.resetRun(now);
    if (this.o.decodeNice && child.pid !== undefined) {
      try {
        // Set before ffmpeg starts its threads (they inherit it): it is still opening its input.
        os.setPriority(child.pid, this.o.decodeNice);
      } catch (err) {
        this.o.log.warn({ err: (err as Error).message }, 'cannot lower the priority of ffmpeg');
      }
    }
    if (this.o.ring && now < this.ringSuspendedUntil) {
      // Bring the ring back once the suspension ends: a planned restart of a healthy run, not a failure.
      this.ringRetryTimer = setTimeout(() => {
        if (this.child !== child || this.stopping) return;
        this.plannedRestart = true;
        void stopChild(child, { quitGraceMs: 1000, termGraceMs: 1000 });
      }, this.ringSuspendedUntil - now);
    }

    const frameSize = frameBytes(this.o.spec) * (1 + (this.crops?.length ?? 0));
    new FrameReader(child.stdout!, frameSize, (data) => this.onRawFrame(data));
    createInterface({ input: child.stderr!, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      this.onStderrLine(line),
    );
    if (ring) {
      createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => this.onSegmentLine(line));
    }
    child.stdin!.on('error', (err) => this.o.log.debug({ err: err.message }, 'ffmpeg stdin closed'));
    child.on('error', (err) => {
      this.errorTail.push(`cannot run ffmpeg: ${err.message}`);
      this.o.log.error({ err: err.message }, 'ffmpeg failed to start');
      // A child that never started emits no 'close'; end the run here so the restart logic still runs.
      if (child.pid === undefined) this.onRunEnd(child, null, null);
    });
    // 'close' rather than 'exit': every frame still in the pipe has been read by then.
    child.on('close', (code, signal) => this.onRunEnd(child, code, signal));
    this.armWatchdog();
  }

  private resetRun(now: number): void {
    this.runFrames = 0;
    this.runFirstFrameAt = 0;
    this.lastProgressAt = now;
    this.errorTail = [];
    this.loggedErrors = 0;
    this.stallReason = undefined;
    this.infos.clear();
    this.unpaired = [];
    this.rawIndex = 0;
    this.infoIndex = 0;
    this.lastPtsS = Number.NaN;
    this.lastSegment = undefined;
    this.pendingSegments = [];
    this.clock.reset();
  }

  private onStderrLine(raw: string): void {
    const parsed = parseFfmpegLine(raw);
    if (!parsed) return;
    if (parsed.kind === 'frame') {
      const index = this.infoIndex++;
      // A line for a frame already sent on with an estimate is of no use any more.
      if (index >= this.rawIndex - this.unpaired.length) this.infos.set(index, parsed);
      if (this.infos.size > 64) this.infos.delete(this.infos.keys().next().value!);
      this.pairFrames(false);
      return;
    }
    if (
      parsed.level !== 'error' &&
      parsed.level !== 'fatal' &&
      parsed.level !== 'panic' &&
      parsed.level !== 'warning'
    )
      return;
    const text = maskUrl(parsed.context ? `${parsed.context}: ${parsed.text}` : parsed.text);
    if (NOISE.test(text)) return;
    this.errorTail.push(text);
    if (this.errorTail.length > ERROR_TAIL) this.errorTail.shift();
    if (parsed.level !== 'warning' && this.loggedErrors++ < LOGGED_ERRORS_PER_RUN)
      this.o.log.warn({ ffmpeg: text }, 'ffmpeg error');
    else this.o.log.debug({ ffmpeg: text, level: parsed.level }, 'ffmpeg');
  }

  private onRawFrame(data: Buffer): void {
    this.unpaired.push({ data, index: this.rawIndex++, arrivalMs: Date.now() });
    this.pairFrames(false);
  }

  /** Frame n on stdout belongs to showinfo line n on stderr; the two pipes race, so whichever comes second emits. */
  private pairFrames(flush: boolean): void {
    while (this.unpaired.length) {
      const next = this.unpaired[0]!;
      const info = this.infos.get(next.index);
      if (!info && !flush && this.unpaired.length <= MAX_UNPAIRED) return;
      this.unpaired.shift();
      if (info) this.infos.delete(next.index);
      else this.framesEstimated++;
      this.emitFrame(next.data, next.arrivalMs, info);
    }
  }

  private emitFrame(data: Buffer, arrivalMs: number, info: FrameInfo | undefined): void {
    this.lastProgressAt = Date.now();
    const ptsS = info
      ? info.ptsS
      : Number.isFinite(this.lastPtsS)
        ? this.lastPtsS + 1 / this.o.fps
        : Number.NaN;
    this.lastPtsS = ptsS;
    if (info) this.lastSource = { width: info.width, height: info.height };
    const { width, height } = this.lastSource;
    const key = `${width}x${height}`;
    let content = this.contentBySize.get(key);
    if (!content) {
      content = contentRect(this.o.spec, width, height);
      this.contentBySize.set(key, content);
    }
    if (this.runFrames === 0) this.runFirstFrameAt = arrivalMs;
    this.runFrames++;
    this.framesIn++;
    if (this.state !== 'online') {
      this.state = 'online';
      this.reason = undefined;
      this.lastReasonKind = undefined;
      this.o.log.info({ source: maskUrl(this.o.source.input), width, height }, 'camera online');
      this.o.onStatus('online');
    }
    const tsMs = this.clock.toWallMs(ptsS, arrivalMs);
    if (this.pendingSegments.length) this.flushSegments(false);
    const crops = this.crops?.length ? this.cropsOf(data, width, height) : undefined;
    this.o.onFrame({
      cameraId: this.o.cameraId,
      seq: this.frameSeq++,
      tsMs,
      spec: this.o.spec,
      content,
      sourceWidth: width,
      sourceHeight: height,
      data: crops ? data.subarray(0, frameBytes(this.o.spec)) : data,
      ...(crops ? { crops } : {}),
    });
  }

  /** The stacked crop pictures under the whole frame (cropFrameGraph), as views of the one buffer. */
  private cropsOf(data: Buffer, width: number, height: number): FrameCrop[] {
    const bytes = frameBytes(this.o.spec);
    return this.crops!.map((planned, i) => {
      const px = cropPixels(planned, width, height);
      const key = `${px.width}x${px.height}`;
      let content = this.contentBySize.get(key);
      if (!content) {
        content = contentRect(this.o.spec, px.width, px.height);
        this.contentBySize.set(key, content);
      }
      return {
        // The pixels ffmpeg cut, so boxes map back exactly.
        rectNorm: [px.x / width, px.y / height, (px.x + px.width) / width, (px.y + px.height) / height],
        content,
        sourceWidth: px.width,
        sourceHeight: px.height,
        data: data.subarray((i + 1) * bytes, (i + 2) * bytes),
      };
    });
  }

  private onSegmentLine(line: string): void {
    const entry = parseSegmentListLine(line);
    if (!entry) {
      this.o.log.debug({ line }, 'unparsed segment list line');
      return;
    }
    this.pendingSegments.push(entry);
    this.flushSegments(false);
  }

  /**
   * Gives closed segments their wall-clock times. A segment can close before the run's first frame has set
   * the clock (a short file read flat out), so entries wait for it; at the end of a run they go regardless.
   */
  private flushSegments(force: boolean): void {
    const ring = this.o.ring;
    while (ring && this.pendingSegments.length) {
      const entry = this.pendingSegments[0]!;
      const durationMs = (entry.endS - entry.startS) * 1000;
      const peeked = this.clock.peekWallMs(entry.startS);
      if (peeked === undefined && !force) return;
      this.pendingSegments.shift();
      const mapped = peeked ?? Date.now() - durationMs;
      // Chain segments of one run end to start, so the ring has no gaps or overlaps from the live clock's small
      // corrections; re-anchor on the frame clock only when the chain has drifted from it noticeably.
      const prev = this.lastSegment;
      let startMs = mapped;
      if (prev && Math.abs(entry.startS - prev.endS) < 0.1) {
        const chained = prev.endMs + (entry.startS - prev.endS) * 1000;
        if (Math.abs(chained - mapped) < SEGMENT_REANCHOR_MS) startMs = chained;
      }
      // Never before the end of the ring's newest segment (also across runs): covering() relies on the order.
      startMs = Math.max(startMs, this.ringEndMs);
      const endMs = startMs + durationMs;
      this.lastSegment = { endS: entry.endS, endMs };
      this.ringEndMs = endMs;
      ring.add({ file: entry.file, startMs: Math.round(startMs), endMs: Math.round(endMs) });
    }
  }

  private onRunEnd(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return; // already ended ('error' without a process, then 'close')
    this.child = undefined;
    this.clearWatchdog();
    if (this.ringRetryTimer) clearTimeout(this.ringRetryTimer);
    this.flushSegments(true);
    if (this.stopping) return;
    if (this.plannedRestart) {
      this.plannedRestart = false;
      this.restarts++;
      this.restartTimer = setTimeout(() => void this.launch(), 0);
      return;
    }
    this.pairFrames(true);
    if (this.runFrames > 0 && Date.now() - this.runFirstFrameAt > HEALTHY_RUN_MS) this.attempt = 0;
    const ringError =
      this.ringActive && this.o.ring
        ? this.errorTail.find((l) => isRingError(l, this.o.ring!.dir))
        : undefined;
    if (ringError && !this.stallReason) {
      // The camera is fine; only the second output failed. Restart at once without it.
      this.suspendRing(Date.now(), ringError);
      this.restarts++;
      this.restartTimer = setTimeout(() => void this.launch(), 0);
      return;
    }
    if (code === 0 && this.o.source.isFile && this.o.loop) {
      // Loop: the file again from its start, at once and without a status change (StreamClock keeps time going).
      this.loops++;
      this.restartTimer = setTimeout(() => void this.launch(), 0);
      return;
    }
    if (code === 0 && this.o.source.isFile) {
      this.state = 'ended';
      this.reason = 'stream ended: end of file';
      this.o.log.info('end of file');
      this.o.onStatus('offline', this.reason);
      this.o.onEnd?.();
      return;
    }
    let reason: FailureReason;
    if (this.stallReason) reason = this.stallReason;
    else if (code === 0) reason = { kind: 'stream ended', detail: 'the source closed the stream' };
    else
      reason = classifyFailure(this.errorTail, `ffmpeg exited (code ${code}, signal ${signal})`, {
        rtsp: (this.o.analysisSource ?? this.o.source).isRtsp,
      });
    this.markOffline(reason);
    this.scheduleRestart();
  }

  private markOffline(r: FailureReason): void {
    const reason = formatReason({ kind: r.kind, detail: maskUrl(r.detail) });
    const changed = this.state !== 'offline' || this.lastReasonKind !== r.kind;
    this.state = 'offline';
    this.reason = reason;
    this.lastReasonKind = r.kind;
    this.o.log.warn({ reason, attempt: this.attempt }, 'camera offline');
    if (changed) this.o.onStatus('offline', reason);
  }

  private scheduleRestart(): void {
    if (this.stopping) return;
    const delay = backoffDelayMs(
      this.attempt,
      { minMs: this.o.backoffMinMs ?? 1000, maxMs: this.o.backoffMaxMs ?? 30_000 },
      Math.random(),
    );
    this.attempt++;
    this.restarts++;
    // After repeated failures, probe again: the camera may have been reconfigured (another codec for the ring).
    if (this.attempt >= REPROBE_AFTER_FAILURES) this.codec = undefined;
    this.o.log.debug({ delayMs: delay, attempt: this.attempt }, 'restarting ffmpeg');
    this.restartTimer = setTimeout(() => void this.launch(), delay);
  }

  private armWatchdog(): void {
    this.clearWatchdog();
    // A camera analysed at 0.1 fps legitimately goes 10 s between frames: never less than three intervals.
    const limitMs = Math.max(this.o.stallTimeoutS * 1000, 3000 / this.o.fps);
    this.watchdog = setInterval(
      () => {
        const child = this.child;
        if (!child || this.stallReason || Date.now() - this.lastProgressAt <= limitMs) return;
        this.stallReason = {
          kind: 'stalled',
          detail: `no frame for ${Math.round(limitMs / 100) / 10} s${this.errorTail.length ? ` (${this.errorTail.at(-1)})` : ''}`,
        };
        this.o.log.warn({ stallTimeoutS: this.o.stallTimeoutS }, 'ffmpeg stalled; restarting');
        void stopChild(child, { quitGraceMs: 0, termGraceMs: 2000 });
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
    if (this.ringRetryTimer) clearTimeout(this.ringRetryTimer);
    this.probeAbort?.abort();
    this.clearWatchdog();
    const child = this.child;
    if (child) {
      const closed = new Promise<void>((r) => child.once('close', () => r()));
      const how = await stopChild(child, {
        quitGraceMs: this.o.stopGraceMs,
        termGraceMs: this.o.stopGraceMs,
      });
      this.o.log.debug({ how }, 'ffmpeg stopped');
      if (how !== 'gone') await closed;
    }
    // A retained "online" would outlive the box; say the camera is no longer watched.
    if (this.state === 'online') this.o.onStatus('offline', STOPPED_REASON);
    if (this.state !== 'ended') this.state = 'stopped';
  }
}
