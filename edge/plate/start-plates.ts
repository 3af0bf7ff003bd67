// Starts plate reading for the cameras that want it: OCR sessions, ring frames, the service, its timer and metrics.
import type { MatthanEvent } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import type { Track } from '../track/track.ts';
import { PlateOcr } from './plate-ocr.ts';
import { PlateReader } from './plate-reader.ts';
import type { CameraPlatesConfig, PlatesConfig } from './plate-schema.ts';
import { type PlateEvidenceSink, PlateService } from './plate-service.ts';
import { RingFrameSource, type RingSegments } from './ring-frame-source.ts';

export interface PlateCamera {
  id: string;
  plates: CameraPlatesConfig;
  ring: RingSegments | undefined;
}

export interface PlatesHandle {
  readonly service: PlateService;
  /** The per-frame track hook of one camera's pipeline. */
  onTracks(camera: string): (tsMs: number, tracks: readonly Track[]) => void;
  handle(event: MatthanEvent): void;
  stop(): Promise<void>;
}

/** Undefined when no camera reads plates (no OCR session is loaded then). */
export async function startPlates(
  config: PlatesConfig,
  cameras: readonly PlateCamera[],
  deps: { deliver: (e: MatthanEvent) => void; sink?: PlateEvidenceSink; log: Logger },
): Promise<PlatesHandle | undefined> {
  const wanted = cameras.filter((c) => {
    if (c.plates.mode === 'off') return false;
    if (!c.ring) {
      deps.log.warn(
        { camera: c.id },
        'plates need the camera ring (full-resolution frames); plates off for this camera',
      );
      return false;
    }
    return true;
  });
  if (wanted.length === 0) return undefined;
  const ocr = await PlateOcr.load({
    detLongSidePx: config.detLongSidePx,
    intraOpThreads: config.intraOpThreads,
  });
  const service = new PlateService({
    config,
    cameras: new Map(wanted.map((c) => [c.id, c.plates])),
    frames: new RingFrameSource(new Map(wanted.map((c) => [c.id, c.ring]))),
    reader: new PlateReader(ocr),
    deliver: deps.deliver,
    ...(deps.sink ? { sink: deps.sink } : {}),
    log: deps.log,
    ocrTimings: () => ocr.timings,
  });
  const timer = setInterval(() => service.tick(), 250);
  timer.unref();
  deps.log.info({ cameras: wanted.map((c) => `${c.id}:${c.plates.mode}`) }, 'plate reading on');
  return {
    service,
    onTracks: (camera) => (tsMs, tracks) => service.observe(camera, tsMs, tracks),
    handle: (event) => service.handle(event),
    async stop() {
      clearInterval(timer);
      await service.stop();
      await ocr.close();
    },
  };
}
