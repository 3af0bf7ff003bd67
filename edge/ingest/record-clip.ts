// Every frame of a video file as the production ffmpeg source delivers it (crops included), held in memory, so
// tests, tools and benchmarks can analyse all of them in order (a live pipeline keeps only the newest frame).
import { logger } from '../../lib/log.ts';
import { FfmpegSource } from './ffmpeg-source.ts';
import type { Frame, FrameCrop, FrameSpec } from './frame.ts';
import type { ResolvedSource } from './source-url.ts';

export interface RecordClipOptions {
  source: ResolvedSource;
  spec: FrameSpec;
  fps: number;
  /** As FfmpegSourceOptions.planCrops. */
  planCrops?: (sourceWidth: number, sourceHeight: number) => readonly FrameCrop['rectNorm'][];
}

export async function recordClip(o: RecordClipOptions): Promise<Frame[]> {
  const frames: Frame[] = [];
  let status: string | undefined;
  await new Promise<void>((resolve, reject) => {
    const source = new FfmpegSource({
      cameraId: 'clip',
      source: o.source,
      transport: 'tcp',
      realtime: false,
      loop: false,
      fps: o.fps,
      stallTimeoutS: 30,
      spec: o.spec,
      log: logger('record-clip'),
      planCrops: o.planCrops,
      onFrame: (f) => frames.push(f),
      onStatus: (state, reason) => {
        if (state === 'offline' && reason && !reason.startsWith('stream ended: end of file')) {
          status = reason;
          void source.stop().then(() => reject(new Error(`recording ${o.source.input}: ${status}`)));
        }
      },
      onEnd: () => void source.stop().then(() => resolve()),
    });
    source.start();
  });
  return frames;
}
