// Runs the real camera pipeline (ffmpeg, ring, yolox_nano, ByteTrack, rules) with the plate service on a clip,
// recording every track's boxes by clip time, for the labelled-plate tests and the plate benchmark.
import type { MatthanEvent } from '../../contract/index.ts';
import { CameraPipeline } from '../../edge/camera-pipeline.ts';
import type { CameraConfig, EdgeConfig } from '../../edge/config/schema.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { DetectorPool } from '../../edge/detect/detector-pool.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import type { PlateOcr } from '../../edge/plate/plate-ocr.ts';
import { PlateReader } from '../../edge/plate/plate-reader.ts';
import { type PlateEvidenceSink, PlateService } from '../../edge/plate/plate-service.ts';
import { RingFrameSource } from '../../edge/plate/ring-frame-source.ts';
import { createSignalSource } from '../../edge/signal/create-signal-source.ts';
import { logger } from '../../lib/log.ts';

export interface PlateClipRun {
  events: MatthanEvent[];
  /** trackId -> label and boxes by clip second (first frame = 0). */
  tracks: Map<
    number,
    { label: string; boxes: { tS: number; boxXyxyNorm: [number, number, number, number] }[] }
  >;
  firstFrameTs: number;
  service: PlateService;
}

export async function runPlateClip(
  cfg: EdgeConfig,
  camera: CameraConfig,
  detector: Detector,
  ocr: PlateOcr,
  dataDir: string,
  sink?: PlateEvidenceSink,
): Promise<PlateClipRun> {
  const log = logger('test', { camera: camera.id });
  const signal = createSignalSource(camera.signal, { client: undefined as never, log });
  const events: MatthanEvent[] = [];
  const tracks: PlateClipRun['tracks'] = new Map();
  let firstFrameTs = Number.NaN;
  let service: PlateService | undefined;
  const pipeline = new CameraPipeline({
    site: cfg.site,
    camera,
    source: resolveSourceUrl(camera.source.url),
    pool: new DetectorPool(detector),
    timezone: cfg.timezone,
    log,
    ringDir: `${dataDir}/ring/${camera.id}`,
    emitEvent: (e) => service!.handle(e),
    emitStatus: () => undefined,
    signal: () => signal?.state() ?? 'unknown',
    signalFrame: (f) => {
      if (Number.isNaN(firstFrameTs)) firstFrameTs = f.tsMs;
      signal?.onFrame?.(f);
    },
    onTracks: (tsMs, ts) => {
      if (Number.isNaN(firstFrameTs)) firstFrameTs = tsMs;
      for (const t of ts) {
        const rec = tracks.get(t.id) ?? { label: t.label, boxes: [] };
        rec.boxes.push({ tS: (tsMs - firstFrameTs) / 1000, boxXyxyNorm: t.boxXyxyNorm });
        tracks.set(t.id, rec);
      }
      service!.observe(camera.id, tsMs, ts);
    },
  });
  service = new PlateService({
    config: cfg.plates,
    cameras: new Map([[camera.id, camera.plates]]),
    frames: new RingFrameSource(new Map([[camera.id, pipeline.ring]])),
    reader: new PlateReader(ocr),
    deliver: (e) => events.push(e),
    ...(sink ? { sink } : {}),
    log,
  });
  pipeline.start();
  await pipeline.ended;
  await pipeline.stop();
  service.flushCollecting();
  await service.settle(240_000);
  await service.stop();
  return { events, tracks, firstFrameTs, service };
}
