// An edge process for fault tests: emits N synthetic events with small real evidence files at a steady rate
// through the REAL delivery code (SQLite outbox -> MQTT publisher, evidence uploader), and resumes after a kill.
// Usage: node --import tsx test/helpers/fault-edge-driver.ts '<json options>'
import { copyFileSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { parseConfig } from '../../config/load.ts';
import { type MatthanEvent, SCHEMA_VERSION } from '../../contract/index.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { EdgeDelivery } from '../../edge/publish/edge-delivery.ts';
import { logger } from '../../lib/log.ts';

interface DriverOptions {
  /** Edge config (dataDir, broker, central, outbox...) as a plain object. */
  config: Record<string, unknown>;
  total: number;
  ratePerS: number;
  /** Progress file: the next event index (the driver's own "engine state" across restarts). */
  progressFile: string;
  /** A small real MP4 copied as each event's clip. */
  clipFile: string;
  camera: string;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as DriverOptions;
const config = parseConfig(JSON.stringify(opts.config), 'fault-driver', EdgeConfigSchema);
const log = logger('fault-driver', { pid: process.pid });
const delivery = new EdgeDelivery(config, log, { quotaCheckMs: 1000 });

export const eventId = (i: number) => `evt-fault-${String(i).padStart(5, '0')}`;

const readProgress = () =>
  existsSync(opts.progressFile) ? Number(readFileSync(opts.progressFile, 'utf8')) : 0;
const writeProgress = (n: number) => {
  const tmp = `${opts.progressFile}.tmp`;
  writeFileSync(tmp, String(n));
  renameSync(tmp, opts.progressFile);
};

const say = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);

async function emit(i: number): Promise<void> {
  const id = eventId(i);
  const now = Date.now();
  // A unique small JPEG per event (colour from the index), and the shared real MP4 as the clip.
  const snapFile = path.join(delivery.evidenceDir, `${id}_s.jpg`);
  await sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: i % 256, g: (i * 7) % 256, b: 128 } },
  })
    .jpeg({ quality: 80 })
    .toFile(snapFile);
  const clipFile = path.join(delivery.evidenceDir, `${id}_v.mp4`);
  copyFileSync(opts.clipFile, clipFile);
  // Evidence rows first, then the event: a crash in between leaves files waiting, never an event without rows.
  delivery.addEvidence({
    id: `${id}_s`,
    eventId: id,
    camera: opts.camera,
    kind: 'snapshot',
    contentType: 'image/jpeg',
    file: snapFile,
    bytes: statSync(snapFile).size,
  });
  delivery.addEvidence({
    id: `${id}_v`,
    eventId: id,
    camera: opts.camera,
    kind: 'clip',
    contentType: 'video/mp4',
    file: clipFile,
    bytes: statSync(clipFile).size,
  });
  const event: MatthanEvent = {
    schemaVersion: SCHEMA_VERSION,
    id,
    seq: 0,
    phase: 'start',
    site: config.site,
    camera: opts.camera,
    rule: 'fault-dwell',
    ruleType: 'zone_dwell',
    ts: now,
    startTs: now,
    trackId: i,
    label: 'car',
    confidence: 0.9,
    // Boxes far apart so central keeps one incident per event (no merging by proximity).
    boxXyxyNorm: [(i % 10) / 10, 0.5, (i % 10) / 10 + 0.05, 0.6],
    evidence: { snapshot: `${id}_s`, clip: `${id}_v` },
  };
  delivery.publishEvent(event);
  writeProgress(i + 1);
}

let next = readProgress();
// What a camera pipeline does when its stream comes up (emitStatus -> retained camera status).
delivery.publishStatus(opts.camera, 'online');
say({ started: true, next });
const intervalMs = 1000 / opts.ratePerS;
let busy = false;
let lastReportMs = 0;
const timer = setInterval(() => {
  if (busy) return;
  if (next >= opts.total) {
    if (Date.now() - lastReportMs >= 500) {
      lastReportMs = Date.now();
      say({ emitted: next, metrics: delivery.metrics() });
    }
    return;
  }
  busy = true;
  emit(next)
    .then(() => {
      next++;
      if (next % 10 === 0 || next === opts.total) say({ emitted: next });
    })
    .catch((err: Error) => log.error({ err: err.message }, 'emit failed'))
    .finally(() => {
      busy = false;
    });
}, intervalMs);

process.once('SIGTERM', () => {
  clearInterval(timer);
  void delivery.close(2000).then(() => process.exit(0));
});
