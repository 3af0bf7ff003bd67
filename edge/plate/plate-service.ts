// Plate reading for the whole box: per-track jobs from violation events (or every vehicle), a bounded queue, one
// OCR worker, the vote, the crop as evidence, and end messages held until their plate is known.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { MatthanEvent, PlateInfo, RuleType } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import type { NewEvidence } from '../outbox/outbox-store.ts';
import type { Track } from '../track/track.ts';
import type { FullResFrameSource } from './frame-source.ts';
import type { FrameRead, PlateReader } from './plate-reader.ts';
import type { CameraPlatesConfig, PlatesConfig } from './plate-schema.ts';
import { votePlate } from './plate-vote.ts';
import { cropImage, type RawImage } from './raw-image.ts';
import { boxAt, cutAtBottom, largestSamples, plateViewScore, TrackBoxHistory } from './track-box-history.ts';

/** Rule types whose events are not violations of a vehicle (counts, lingering, objects): no plate job of their own. */
const NOT_VIOLATIONS: readonly RuleType[] = ['zone_dwell', 'crowding', 'object_present'];
/** A track unseen for this long (frame time) has left: its job stops collecting. */
const TRACK_GONE_MS = 1000;
/** 'all' mode: a track is read once it was followed this long from its first whole view (or when it leaves). */
const ALL_MODE_FOLLOW_MS = 3000;
/** A keyframe and the frames ~1 and ~2 frame intervals after it (the source picks the nearest frame). */
const KEYFRAME_FOLLOWERS_MS = [0, 34, 67] as const;

export interface PlateCounters {
  jobs: number;
  /** Jobs refused because the queue was at queueLimit: those vehicles get no plate. */
  dropped: number;
  framesRead: number;
  readable: number;
  unreadable: number;
  failed: number;
  /** End messages sent without a plate because holdEndS passed. */
  endsTimedOut: number;
  detMs: number;
  recMs: number;
}

/** Where the crop goes (EdgeDelivery implements it). */
export interface PlateEvidenceSink {
  readonly evidenceDir: string;
  addEvidence(item: NewEvidence): void;
}

export interface PlateServiceDeps {
  config: PlatesConfig;
  cameras: ReadonlyMap<string, CameraPlatesConfig>;
  frames: FullResFrameSource;
  reader: PlateReader;
  deliver: (event: MatthanEvent) => void;
  sink?: PlateEvidenceSink;
  log: Logger;
  /** Wall clock for the end-message hold. */
  nowMs?: () => number;
  /** OCR time so far (det, rec ms), for the counters. */
  ocrTimings?: () => { detMs: number; recMs: number };
}

export const plateEvidenceId = (eventId: string) => `${eventId}_p`;

type JobState = 'collecting' | 'queued' | 'reading' | 'done';

interface Job {
  camera: string;
  trackId: number;
  state: JobState;
  /** Frame time the samples are centred on (the first violation's start) and until when they are collected. */
  fromMs: number;
  untilMs: number;
  /** Wall-clock ms the job was created (holds and frame waits time out against it). */
  createdMs: number;
  eventIds: string[];
  /** The crop a reviewer sees (JPEG), kept so each event of the track gets its own copy (below). */
  crop?: Buffer;
  /**
   * Evidence id of the crop per event. An evidence id belongs to one event (central binds it at first sight and
   * refuses a second event naming it), so two violations of one track each carry their own crop file.
   */
  cropIds: Map<string, string>;
  plate?: PlateInfo;
}

interface HeldEnd {
  event: MatthanEvent;
  job: Job;
  deadlineMs: number;
}

export class PlateService {
  readonly counters: PlateCounters = {
    jobs: 0,
    dropped: 0,
    framesRead: 0,
    readable: 0,
    unreadable: 0,
    failed: 0,
    endsTimedOut: 0,
    detMs: 0,
    recMs: 0,
  };
  private readonly histories = new Map<string, TrackBoxHistory>();
  /** camera/trackId -> job. Done jobs stay until their track is forgotten, so later events get the plate too. */
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private held: HeldEnd[] = [];
  private working = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly d: PlateServiceDeps) {
    this.now = d.nowMs ?? Date.now;
    const keepMs = (d.config.beforeS + d.config.afterS) * 1000 + 10_000;
    for (const cam of d.cameras.keys()) this.histories.set(cam, new TrackBoxHistory(keepMs));
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  private cameraOf(camera: string): CameraPlatesConfig | undefined {
    const c = this.d.cameras.get(camera);
    return c && c.mode !== 'off' ? c : undefined;
  }

  /** Every processed frame of a camera: keeps the vehicles' boxes and moves finished collections to the queue. */
  observe(camera: string, tsMs: number, tracks: readonly Track[]): void {
    const cfg = this.cameraOf(camera);
    const history = this.histories.get(camera);
    if (!cfg || !history) return;
    for (const t of tracks) {
      if (!t.confirmed || !cfg.classes.includes(t.label)) continue;
      history.add(t.id, t.label, { tsMs, boxXyxyNorm: t.boxXyxyNorm });
      // Followed from its first whole view: a vehicle entering at the bottom shows no plate until it is in.
      if (cfg.mode === 'all' && !this.jobs.has(key(camera, t.id)) && !cutAtBottom(t.boxXyxyNorm))
        this.createJob(camera, t.id, tsMs, tsMs + ALL_MODE_FOLLOW_MS);
    }
    for (const job of this.jobs.values()) {
      if (job.camera !== camera || job.state !== 'collecting') continue;
      const last = history.lastSeenMs(job.trackId) ?? 0;
      if (tsMs >= job.untilMs || tsMs - last > TRACK_GONE_MS) this.enqueue(job);
    }
    history.sweep(tsMs);
    this.pruneDone(camera, tsMs);
    void this.pump();
  }

  /**
   * Every event of the box before it is written to the outbox: a violation start opens its track's job; an end
   * waits for the plate (up to holdEndS); any message whose track's plate is known carries it.
   */
  handle(event: MatthanEvent): void {
    const held = this.hold(event);
    if (held) this.d.deliver(held);
  }

  /** The message to send now, or undefined when it is an end held for its plate. */
  private hold(event: MatthanEvent): MatthanEvent | undefined {
    const cfg = this.cameraOf(event.camera);
    if (!cfg || event.trackId === undefined || !cfg.classes.includes(event.label)) return event;
    const k = key(event.camera, event.trackId);
    let job = this.jobs.get(k);
    if (!job && event.phase === 'start' && !NOT_VIOLATIONS.includes(event.ruleType))
      job = this.createJob(
        event.camera,
        event.trackId,
        event.startTs,
        event.startTs + this.d.config.afterS * 1000,
      );
    if (!job) return event;
    if (!job.eventIds.includes(event.id)) job.eventIds.push(event.id);
    if (job.state === 'done') return this.withPlate(event, job);
    if (event.phase !== 'end') return event;
    this.held.push({ event, job, deadlineMs: this.now() + this.d.config.holdEndS * 1000 });
    return undefined;
  }

  private createJob(camera: string, trackId: number, fromMs: number, untilMs: number): Job {
    const job: Job = {
      camera,
      trackId,
      state: 'collecting',
      fromMs,
      untilMs,
      createdMs: this.now(),
      eventIds: [],
      cropIds: new Map(),
    };
    this.jobs.set(key(camera, trackId), job);
    this.counters.jobs++;
    return job;
  }

  private enqueue(job: Job): void {
    if (this.queue.length >= this.d.config.queueLimit) {
      this.counters.dropped++;
      this.d.log.warn(
        { camera: job.camera, track: job.trackId, queue: this.queue.length },
        'plate job dropped: queue full',
      );
      this.finish(job, { confidence: 0, colour: 'unknown', reads: 0 });
      return;
    }
    job.state = 'queued';
    this.queue.push(job);
  }

  /** Releases held ends whose hold ran out; called on a timer by the owner. */
  tick(): void {
    const now = this.now();
    const keep: HeldEnd[] = [];
    for (const h of this.held) {
      if (h.job.state === 'done') this.d.deliver(this.withPlate(h.event, h.job));
      else if (now >= h.deadlineMs) {
        this.counters.endsTimedOut++;
        this.d.deliver(h.event);
      } else keep.push(h);
    }
    this.held = keep;
    void this.pump();
  }

  /** One job at a time: the OCR shares the CPU with the detector; the queue bound keeps the backlog finite. */
  private async pump(): Promise<void> {
    if (this.working || this.stopped) return;
    this.working = true;
    try {
      for (let i = 0; i < this.queue.length && !this.stopped; ) {
        const job = this.queue[i]!;
        job.state = 'reading';
        const outcome = await this.read(job);
        if (outcome === 'pending') {
          job.state = 'queued';
          i++;
          continue;
        }
        this.queue.splice(i, 1);
      }
    } finally {
      this.working = false;
    }
  }

  private async read(job: Job): Promise<'pending' | 'done'> {
    const history = this.histories.get(job.camera);
    const all = history?.window(job.trackId, job.fromMs - this.d.config.beforeS * 1000, job.untilMs) ?? [];

    const fromMs = job.fromMs - this.d.config.beforeS * 1000;
    // Keyframes in the track's window and the two frames after each (they inherit the keyframe's detail; at a
    // city camera's bitrate every other frame's plate is a smear), largest views first; then the largest views.
    const keyTimes = (await this.d.frames.keyframes?.(job.camera, fromMs, job.untilMs).catch(() => [])) ?? [];
    const area = (t: number) => {
      const b = boxAt(all, t);
      return b ? plateViewScore(b) : -1;
    };
    const inTrack = keyTimes
      .filter((t) => all.length > 0 && t >= all[0]!.tsMs && t <= all.at(-1)!.tsMs)
      .sort((a, b) => area(b) - area(a));
    const chosen: number[] = [];
    // One keyframe (the largest view's): its followers repeat its errors, so more would only inflate agreement.
    for (const k of inTrack.slice(0, 1)) for (const dt of KEYFRAME_FOLLOWERS_MS) chosen.push(k + dt);
    chosen.splice(this.d.config.readsPerTrack);
    for (const s of largestSamples(all, this.d.config.readsPerTrack))
      if (chosen.length < this.d.config.readsPerTrack && chosen.every((t) => Math.abs(t - s.tsMs) > 100))
        chosen.push(s.tsMs);
    try {
      const frames = await this.d.frames.frames(job.camera, chosen);
      if (frames === 'pending') {
        if (this.now() - job.createdMs < this.d.config.holdEndS * 1000) return 'pending';
        this.counters.failed++;
        this.finish(job, { confidence: 0, colour: 'unknown', reads: 0 });
        return 'done';
      }
      const reads: { read: FrameRead; image: RawImage }[] = [];
      for (const f of frames) {
        // The frame may be a sharper neighbour of the sample: the box moves with the track to its time.
        const b = boxAt(all, f.frameMs)!;
        const { width, height } = f.image;
        const r = await this.d.reader.read(
          f.image,
          [b[0] * width, b[1] * height, b[2] * width, b[3] * height],
          f.frameMs,
          history?.labelOf(job.trackId),
        );
        this.counters.framesRead++;
        if (r) reads.push({ read: r, image: f.image });
      }
      const verdict = votePlate(
        reads.map((r) => r.read),
        {
          minAgreeingReads: this.d.config.minAgreeingReads,
          readableConfidence: this.d.config.readableConfidence,
        },
      );
      const plate: PlateInfo = {
        ...(verdict.text ? { text: verdict.text } : {}),
        ...(verdict.kind ? { kind: verdict.kind } : {}),
        confidence: verdict.confidence,
        colour: verdict.colour,
        reads: verdict.reads,
      };
      // The crop a reviewer sees: the winning read's best frame, or the most confident read when unreadable.
      const pick = [...reads]
        .filter((r) => !verdict.text || r.read.text === verdict.text)
        .sort((a, b) => b.read.confidence - a.read.confidence)[0];
      if (pick && this.d.sink && job.eventIds[0]) job.crop = await this.encodeCrop(pick.image, pick.read);
      if (verdict.text) this.counters.readable++;
      else this.counters.unreadable++;
      this.d.log.info(
        {
          camera: job.camera,
          track: job.trackId,
          plate: plate.text ?? 'unreadable',
          confidence: plate.confidence,
          reads: plate.reads,
          ...(verdict.refused ? { refused: verdict.refused } : {}),
          // What each frame said before the grammar: the first thing to look at when a plate comes out wrong.
          raw: reads.map(
            (r) => `${r.read.raw.join('/')}=${r.read.text ?? '?'}@${r.read.confidence.toFixed(2)}`,
          ),
        },
        'plate read',
      );
      this.finish(job, plate);
    } catch (err) {
      this.counters.failed++;
      this.d.log.warn(
        { camera: job.camera, track: job.trackId, err: (err as Error).message },
        'plate read failed',
      );
      this.finish(job, { confidence: 0, colour: 'unknown', reads: 0 });
    } finally {
      const t = this.d.ocrTimings?.();
      if (t) {
        this.counters.detMs = t.detMs;
        this.counters.recMs = t.recMs;
      }
    }
    return 'done';
  }

  private async encodeCrop(image: RawImage, read: FrameRead): Promise<Buffer | undefined> {
    const [x0, y0, x1, y1] = read.plateBoxXyxyPx;
    const mx = (x1 - x0) * 0.25;
    const my = (y1 - y0) * 0.25;
    const crop = cropImage(image, [x0 - mx, y0 - my, x1 + mx, y1 + my]);
    if (!crop) return undefined;
    // Enlarged (Lanczos) to ~160 px high: the reviewer checks the characters, not the pixels.
    const scale = Math.max(1, Math.min(8, Math.round(160 / crop.height)));
    return sharp(Buffer.from(crop.data.buffer, crop.data.byteOffset, crop.data.length), {
      raw: { width: crop.width, height: crop.height, channels: 3 },
    })
      .resize(crop.width * scale, crop.height * scale, { kernel: 'lanczos3' })
      .jpeg({ quality: this.d.config.jpegQuality })
      .toBuffer();
  }

  /** The crop's evidence id for this event, its file written and queued for upload on first use. */
  private cropFor(job: Job, eventId: string): string | undefined {
    const sink = this.d.sink;
    if (!job.crop || !sink) return undefined;
    const known = job.cropIds.get(eventId);
    if (known) return known;
    const id = plateEvidenceId(eventId);
    const file = path.join(sink.evidenceDir, `${id}.jpg`);
    writeFileSync(file, job.crop);
    sink.addEvidence({
      id,
      eventId,
      camera: job.camera,
      kind: 'plate',
      contentType: 'image/jpeg',
      file,
      bytes: job.crop.length,
    });
    job.cropIds.set(eventId, id);
    return id;
  }

  private withPlate(event: MatthanEvent, job: Job): MatthanEvent {
    if (!job.plate) return event;
    const cropId = this.cropFor(job, event.id);
    return {
      ...event,
      plate: job.plate,
      ...(cropId ? { evidence: { ...event.evidence, plate: cropId } } : {}),
    };
  }

  private finish(job: Job, plate: PlateInfo): void {
    job.plate = plate;
    job.state = 'done';
    const keep: HeldEnd[] = [];
    for (const h of this.held) {
      if (h.job === job) this.d.deliver(this.withPlate(h.event, job));
      else keep.push(h);
    }
    this.held = keep;
  }

  /** Done jobs of tracks the history forgot are dropped (their events have ended long ago). */
  private pruneDone(camera: string, tsMs: number): void {
    const history = this.histories.get(camera);
    for (const [k, job] of this.jobs) {
      if (job.camera !== camera || job.state !== 'done') continue;
      if (history?.lastSeenMs(job.trackId) === undefined && tsMs - job.untilMs > 60_000) this.jobs.delete(k);
    }
  }

  /**
   * Shutdown: no more frames will come, so collecting jobs are read now; waits up to drainMs for the queue
   * (the ends of the last violations are held for it), then sends every held end, with or without its plate.
   */
  async stop(drainMs = 15_000): Promise<void> {
    this.flushCollecting();
    const deadline = this.now() + drainMs;
    while ((this.queue.length > 0 || this.working) && this.now() < deadline) {
      void this.pump();
      await new Promise((r) => setTimeout(r, 50));
    }
    this.stopped = true;
    while (this.working) await new Promise((r) => setTimeout(r, 20));
    for (const h of this.held)
      this.d.deliver(h.job.state === 'done' ? this.withPlate(h.event, h.job) : h.event);
    this.held = [];
  }

  /** Jobs not finished yet (collecting, queued or being read). */
  get pending(): number {
    let n = 0;
    for (const j of this.jobs.values()) if (j.state !== 'done') n++;
    return n;
  }

  /** Resolves when no job is collecting, queued or being read (tests, file sources). */
  async settle(deadlineMs: number): Promise<void> {
    const start = this.now();
    while (this.now() - start < deadlineMs) {
      this.tick();
      const busy = [...this.jobs.values()].some((j) => j.state !== 'done');
      if (!busy && this.held.length === 0 && !this.working) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The finished plate of a track, if any (tests, tools). */
  plateOf(camera: string, trackId: number): PlateInfo | undefined {
    return this.jobs.get(key(camera, trackId))?.plate;
  }

  /** Collection of a file source ended: every collecting job goes to the queue (no more frames will come). */
  flushCollecting(): void {
    for (const job of this.jobs.values()) if (job.state === 'collecting') this.enqueue(job);
    void this.pump();
  }
}

const key = (camera: string, trackId: number) => `${camera}/${trackId}`;
