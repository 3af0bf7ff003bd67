// Plate-read benchmark: ms (wall and CPU) per plate read (det + rec) on the labelled plates of the HCMC clip, and
// its share of one camera's CPU at 5 fps (yolox_nano on the same frames, in the same run).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../config/load.ts';
import { createDetector } from '../edge/detect/create-detector.ts';
import { detectorConfig } from '../edge/detect/detector-schema.ts';
import { stillFrame } from '../edge/detect/still-frame.ts';
import { PlateOcr } from '../edge/plate/plate-ocr.ts';
import { PlateReader } from '../edge/plate/plate-reader.ts';
import { PlatesSchema } from '../edge/plate/plate-schema.ts';
import type { RawImage } from '../edge/plate/raw-image.ts';
import { mediaDir, REPO_ROOT } from '../models/asset-dirs.ts';
import { resolveModel } from '../models/resolve.ts';
import { round } from './bench-util.ts';

const CLIP = 'hcmc_intersection_1080p.mp4';
const REPEATS = 3;
const FPS = 5;
const VEHICLES = ['car', 'motorcycle', 'bus', 'truck'];

interface Label {
  text: string;
  tS: number;
  plateBoxXyxyPx: [number, number, number, number];
}

function frameAt(file: string, tS: number): { png: Buffer; image: RawImage } {
  const run = (fmt: string[]) =>
    spawnSync('ffmpeg', ['-v', 'error', '-ss', tS.toFixed(3), '-i', file, '-frames:v', '1', ...fmt, '-'], {
      maxBuffer: 64 << 20,
    }).stdout;
  const raw = run(['-f', 'rawvideo', '-pix_fmt', 'rgb24']);
  return {
    png: run(['-f', 'image2pipe', '-c:v', 'png']),
    image: { data: new Uint8Array(raw), width: 1920, height: 1080 },
  };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

export async function benchPlate(): Promise<Record<string, unknown>> {
  const file = path.join(mediaDir(), CLIP);
  const labels = (
    JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/plates-labelled.json'), 'utf8')) as {
      clips: Record<string, Label[]>;
    }
  ).clips[CLIP]!;
  const plates = parseConfig('{}', 'bench', PlatesSchema);
  const dcfg = detectorConfig({ model: 'yolox_nano', intraOpThreads: 2 });
  const detector = await createDetector(resolveModel(dcfg), dcfg);
  const ocr = await PlateOcr.load({
    detLongSidePx: plates.detLongSidePx,
    intraOpThreads: plates.intraOpThreads,
  });
  const reader = new PlateReader(ocr);
  const readWall: number[] = [];
  const readCpu: number[] = [];
  const detWall: number[] = [];
  /** The OCR's own split of each read: text detection and recognition wall ms. */
  const ocrDet: number[] = [];
  const ocrRec: number[] = [];
  const detCpu: number[] = [];
  let right = 0;
  try {
    for (const label of labels) {
      const { png, image } = frameAt(file, label.tS);
      const tmp = path.join(REPO_ROOT, '.tmp', `bench-plate-${label.tS}.png`);
      spawnSync('mkdir', ['-p', path.dirname(tmp)]);
      (await import('node:fs')).writeFileSync(tmp, png);
      const frame = await stillFrame(tmp, detector.frameSpec);
      // The camera's per-frame cost: one detector run on the frame (what 5 fps repeats five times a second).
      let dets: Awaited<ReturnType<typeof detector.detect>> = [];
      for (let k = 0; k < REPEATS; k++) {
        const c0 = cpuMs();
        const t0 = performance.now();
        dets = await detector.detect(frame);
        detWall.push(performance.now() - t0);
        detCpu.push(cpuMs() - c0);
      }
      const [px0, py0, px1, py1] = label.plateBoxXyxyPx;
      const cx = (px0 + px1) / 2 / image.width;
      const cy = (py0 + py1) / 2 / image.height;
      const vehicle = dets
        .filter((d) => VEHICLES.includes(d.label))
        .filter(
          (d) =>
            cx > d.boxXyxyNorm[0] && cx < d.boxXyxyNorm[2] && cy > d.boxXyxyNorm[1] && cy < d.boxXyxyNorm[3],
        )
        .sort((a, b) => b.score - a.score)[0];
      if (!vehicle) continue;
      const b = vehicle.boxXyxyNorm;
      const box: [number, number, number, number] = [
        b[0] * image.width,
        b[1] * image.height,
        b[2] * image.width,
        b[3] * image.height,
      ];
      for (let k = 0; k < REPEATS; k++) {
        const c0 = cpuMs();
        const t0 = performance.now();
        const o0 = { ...ocr.timings };
        const r = await reader.read(image, box, 0, vehicle.label);
        readWall.push(performance.now() - t0);
        readCpu.push(cpuMs() - c0);
        ocrDet.push(ocr.timings.detMs - o0.detMs);
        ocrRec.push(ocr.timings.recMs - o0.recMs);
        if (k === 0 && r?.text === label.text) right++;
      }
    }
  } finally {
    await detector.close();
    await ocr.close();
  }
  const readMs = median(readCpu);
  const cameraCpuMsPerS = FPS * median(detCpu);
  return {
    plates: labels.length,
    readsTimed: readWall.length,
    rightOnOneFrame: right,
    readWallMs: round(median(readWall), 1),
    readCpuMs: round(readMs, 1),
    // Of a read's wall time: PP-OCR det (one or two passes) and rec (each line of each candidate tried).
    readDetWallMs: round(median(ocrDet), 1),
    readRecWallMs: round(median(ocrRec), 1),
    detectorCpuMsPerFrame: round(median(detCpu), 1),
    detectorWallMsPerFrame: round(median(detWall), 1),
    // One read as a share of what one camera costs per second at 5 fps (yolox_nano, 2 threads, same frames).
    readShareOfCameraSecond: round(readMs / cameraCpuMsPerS, 3),
    // A violation's whole plate job (readsPerTrack reads), in camera-seconds of CPU.
    jobCameraSeconds: round((plates.readsPerTrack * readMs) / cameraCpuMsPerS, 2),
    readsPerTrack: plates.readsPerTrack,
    ocrThreads: plates.intraOpThreads,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await benchPlate());
