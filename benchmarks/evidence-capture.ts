// Evidence capture under a burst: 4 cameras, each firing 20 events in 30 s (2.7 events/s in all), through the
// real EvidenceRecorder (2 workers, the defaults: 5 s pre-roll, 5 s post-roll, stream-copy clips) on ring segments
// of the 1080p H.264 clip that appear in real time as if recorded. Reports captures/s against the rate the events
// ask for, the backlog and its oldest age, and how long the recorder needs after the last event to drain.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SCHEMA_VERSION } from '../contract/index.ts';
import type { TimedSegment } from '../edge/evidence/clip-plan.ts';
import { EvidenceRecorder, type RecorderCamera } from '../edge/evidence/evidence-recorder.ts';
import { MemoryOutboxStore } from '../edge/outbox/memory-outbox-store.ts';
import { logger } from '../lib/log.ts';
import { mediaDir } from '../models/asset-dirs.ts';
import { round } from './bench-util.ts';

const CAMERAS = 4;
const EVENTS_PER_CAMERA = 20;
const BURST_S = 30;
/** The clip looped to cover the burst plus the pre- and post-roll. */
const LOOPS = 4;

/** The clip as the ring writes it (stream copy into 2 s MPEG-TS segments), with its segment times in seconds. */
function segmentClip(dir: string): { file: string; startS: number; endS: number }[] {
  // Looped into one MP4 first: -stream_loop straight into the segment muxer ends the bitstream filter at the wrap.
  const looped = path.join(dir, 'looped.mp4');
  const clip = path.join(mediaDir(), 'hcmc_intersection_1080p.mp4');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-stream_loop',
    String(LOOPS - 1),
    '-i',
    clip,
    '-map',
    '0:v:0',
    '-c',
    'copy',
    looped,
  ]);
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-i', looped],
    ...[
      '-map',
      '0:v:0',
      '-an',
      '-c',
      'copy',
      '-bsf:v',
      'h264_mp4toannexb',
      '-f',
      'segment',
      '-segment_time',
      '2',
    ],
    ...[
      '-segment_format',
      'mpegts',
      '-segment_list',
      path.join(dir, 'list.csv'),
      '-segment_list_type',
      'csv',
    ],
    path.join(dir, 'seg%03d.ts'),
  ]);
  return readFileSync(path.join(dir, 'list.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [file, s, e] = line.split(',');
      return { file: path.join(dir, file!), startS: Number(s), endS: Number(e) };
    });
}

export async function benchEvidenceCapture(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'matthan-bench-evidence-'));
  const evidenceDir = path.join(dir, 'evidence');
  mkdirSync(evidenceDir);
  try {
    const clip = segmentClip(dir);
    const baseMs = Date.now() + 6000; // the footage's wall-clock origin: 5 s of pre-roll recorded before event 1
    const t0 = Date.now();
    const segments: TimedSegment[] = clip.map((s) => ({
      file: s.file,
      startMs: baseMs - 6000 + s.startS * 1000,
      endMs: baseMs - 6000 + s.endS * 1000,
    }));
    // A live ring: a segment is listed once its end time has passed, as the muxer closes it.
    const ring = {
      covering: (from: number, to: number) =>
        segments.filter((s) => s.endMs <= Date.now() && s.endMs > from && s.startMs <= to),
    };
    const cameras = new Map<string, RecorderCamera>(
      Array.from({ length: CAMERAS }, (_, i) => [`cam-${i}`, { ring, zones: [], lines: [] }]),
    );
    const store = new MemoryOutboxStore();
    const readyAt: number[] = [];
    const recorder = new EvidenceRecorder(
      {
        store,
        evidenceDir,
        addEvidence: (item) => store.addEvidence(item, Date.now()),
        evidenceReady: (id, file, bytes) => {
          store.markEvidenceReady(id, file, bytes);
          if (!id.endsWith('_sc')) readyAt.push(Date.now());
          rmSync(file, { force: true });
        },
        evidenceFailed: (id) => void store.removeEvidence(id),
      },
      cameras,
      {
        preRollS: 5,
        postRollS: 5,
        snapshot: true,
        clip: true,
        jpegQuality: 85,
        clipMode: 'copy',
        captureTimeoutS: 30,
        timezone: 'Asia/Ho_Chi_Minh',
        workers: 2,
      },
      logger('bench-evidence'),
    );
    recorder.start(250);
    // Events spread evenly over the burst, cameras interleaved.
    const events = Array.from({ length: CAMERAS * EVENTS_PER_CAMERA }, (_, k) => ({
      camera: `cam-${k % CAMERAS}`,
      atMs: baseMs + (k * BURST_S * 1000) / (CAMERAS * EVENTS_PER_CAMERA),
    }));
    let maxBacklog = 0;
    let maxOldestS = 0;
    const sample = setInterval(() => {
      const m = recorder.metrics();
      maxBacklog = Math.max(maxBacklog, m.backlog);
      maxOldestS = Math.max(maxOldestS, m.oldestPendingAgeS);
    }, 250);
    const cpu0 = process.cpuUsage();
    for (const [k, e] of events.entries()) {
      const wait = e.atMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      recorder.attach({
        schemaVersion: SCHEMA_VERSION,
        id: `evt-bench-${k}`,
        seq: 0,
        phase: 'start',
        site: 'bench',
        camera: e.camera,
        rule: 'queue-dwell',
        ruleType: 'zone_dwell',
        ts: e.atMs,
        startTs: e.atMs,
        trackId: k,
        label: 'car',
        confidence: 0.8,
        boxXyxyNorm: [0.4, 0.55, 0.5, 0.7],
      });
    }
    const lastEventMs = Date.now();
    const jobs = events.length * 2; // a snapshot pair and a clip per event
    const deadline = Date.now() + 60_000;
    while (recorder.metrics().backlog > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    clearInterval(sample);
    await recorder.stop();
    const c = recorder.counters;
    const doneMs = Math.max(...readyAt);
    // Jobs can start only once their post-roll is recorded: the first clip is due at the first event + 5 s.
    const activeS = (doneMs - (events[0]!.atMs + 5000)) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      cameras: CAMERAS,
      events: events.length,
      eventsPerS: round(events.length / BURST_S, 2),
      captureJobs: jobs,
      captured: c.snapshots + c.clips,
      lost: c.failed,
      snapshotDecodes: c.snapshotRuns,
      snapshotsPerDecode: round(c.snapshots / Math.max(1, c.snapshotRuns), 2),
      capturesPerS: round((c.snapshots + c.clips) / activeS, 2),
      // captures/s over the captures/s the events ask for (two per event): 1 or more keeps up.
      keepUpRatio: round((c.snapshots + c.clips) / activeS / ((2 * events.length) / BURST_S), 2),
      maxBacklog,
      maxOldestPendingAgeS: round(maxOldestS, 1),
      drainAfterLastEventS: round((doneMs - lastEventMs) / 1000, 1),
      nodeCpuS: round((cpu.user + cpu.system) / 1e6, 1),
      wallS: round((Date.now() - t0) / 1000, 1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
