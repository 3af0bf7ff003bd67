// Detection regions side by side: how to get the crops (ffmpeg's graph stacking them under the model frame vs a
// full-resolution frame cropped in Node with sharp) and inference ms per analysed frame per mode, on both HCMC clips.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { cameraCrops } from '../edge/detect/crop-detector.ts';
import type { Detector } from '../edge/detect/detector.ts';
import { detectorConfig } from '../edge/detect/detector-schema.ts';
import { loadDetector } from '../edge/detect/load-detector.ts';
import { cropPixels } from '../edge/ingest/crop-pixels.ts';
import { ffmpegArgs } from '../edge/ingest/ffmpeg-args.ts';
import type { FrameSpec } from '../edge/ingest/frame.ts';
import { probeVideo } from '../edge/ingest/probe.ts';
import { resolveSourceUrl } from '../edge/ingest/source-url.ts';
import { round } from './bench-util.ts';
import { clipDurationS, ffmpegCpuS } from './capacity-ratio.ts';
import { clipCamera, runClip, VARIANTS } from './region-recall.ts';

const FPS = 5;
const CLIPS = ['hcmc_street_wrongway.mp4', 'hcmc_intersection_1080p.mp4'];
/** Frames cropped in Node per measurement (sharp's extract + resize per crop). */
const SHARP_FRAMES = 10;

/** ffmpeg CPU ms per camera-second for the production graph with these crops (none: the model frame alone). */
async function graphCpuMsPerCamS(clip: string, spec: FrameSpec, crops: number[][]): Promise<number> {
  const source = resolveSourceUrl(`media:${clip}`);
  const args = [
    '-nostdin',
    ...ffmpegArgs({ source, transport: 'tcp', realtime: false, loop: false, spec, fps: FPS, crops }),
  ];
  return ((await ffmpegCpuS(args)) * 1000) / (await clipDurationS(source.input));
}

/** The alternative: ffmpeg hands Node the full-resolution rgb24 frame at the analysis fps (CPU ms per cam-s). */
async function fullResCpuMsPerCamS(clip: string): Promise<number> {
  const file = resolveSourceUrl(`media:${clip}`).input;
  const args = ['-nostdin', '-threads', '1', '-i', file, '-vf', `fps=${FPS}`, '-f', 'rawvideo'];
  args.push('-pix_fmt', 'rgb24', '-y', '/dev/null');
  return ((await ffmpegCpuS(args)) * 1000) / (await clipDurationS(file));
}

/** Node's CPU ms per frame to cut and scale the crops of one full-resolution frame with sharp. */
async function sharpMsPerFrame(clip: string, spec: FrameSpec, crops: number[][]): Promise<number> {
  const file = resolveSourceUrl(`media:${clip}`).input;
  const { width, height } = await probeVideo(file);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const c = spawn('ffmpeg', [
      '-v',
      'error',
      '-i',
      file,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ]);
    const chunks: Buffer[] = [];
    c.stdout.on('data', (d: Buffer) => chunks.push(d));
    c.on('error', reject);
    c.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg ${code}`)),
    );
  });
  const c0 = process.cpuUsage();
  for (let i = 0; i < SHARP_FRAMES; i++) {
    for (const r of crops.length ? crops : [[0, 0, 1, 1]]) {
      const px = cropPixels(r, width, height);
      await sharp(raw, { raw: { width, height, channels: 3 } })
        .extract({ left: px.x, top: px.y, width: px.width, height: px.height })
        .resize(spec.width, spec.height, { fit: 'contain', position: 'left top', kernel: 'nearest' })
        .raw()
        .toBuffer();
    }
  }
  const cpu = process.cpuUsage(c0);
  return (cpu.user + cpu.system) / 1000 / SHARP_FRAMES;
}

export async function benchRegions() {
  const { detector } = await loadDetector(detectorConfig(), { dataDir: os.tmpdir() });
  const spec = detector.frameSpec;
  const delivery: Record<string, unknown>[] = [];
  const inference: Record<string, unknown>[] = [];
  try {
    for (const clip of CLIPS) {
      const { width, height } = await probeVideo(resolveSourceUrl(`media:${clip}`).input);
      const plain = await graphCpuMsPerCamS(clip, spec, []);
      const fullRes = await fullResCpuMsPerCamS(clip);
      for (const [mode, regions] of Object.entries(VARIANTS)) {
        const camera = clipCamera(clip, regions);
        const crops = cameraCrops(camera, spec, width, height);
        const graph = crops.length ? await graphCpuMsPerCamS(clip, spec, crops) : plain;
        const sharpMs = await sharpMsPerFrame(clip, spec, crops);
        delivery.push({
          clip,
          mode,
          crops: crops.length,
          ffmpegGraphCpuMsPerCamS: round(graph, 1),
          vsModelFrameOnly: round(graph / plain),
          // The Node alternative: ffmpeg's full-resolution output plus sharp's crop+scale at FPS frames a second.
          fullResPlusSharpCpuMsPerCamS: round(fullRes + FPS * sharpMs, 1),
          fullResPipeMBPerFrame: round((width * height * 3) / 1e6, 2),
          stackedPipeMBPerFrame: round((spec.width * spec.height * 3 * (1 + crops.length)) / 1e6, 2),
        });
        inference.push(await inferenceRow(detector, clip, mode, regions));
      }
    }
  } finally {
    await detector.close();
  }
  return {
    what:
      `per camera at ${FPS} fps, ${spec.width}x${spec.height} model input; ffmpeg CPU from rusage over the whole clip; ` +
      'inference = session.run wall ms summed over the crops of a frame (and the whole frame), mean over every frame',
    delivery,
    inference,
  };
}

async function inferenceRow(detector: Detector, clip: string, mode: string, regions: string) {
  const camera = clipCamera(clip, regions);
  const run = await runClip(detector, camera);
  return {
    clip,
    mode,
    inferencesPerFrame: round(run.inferencesPerFrame, 2),
    inferenceMsPerAnalysedFrame: round(run.inferenceMsPerFrame, 1),
    // At FPS frames a second, the share of one core's second the detector needs per camera.
    inferenceMsPerCamS: round(run.inferenceMsPerFrame * FPS, 1),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchRegions(), null, 2));
}
