// Pipeline overhead per model: the real edge pipeline on the 1080p clip, per-stage ms per frame, the ratio
// (everything but inference) / inference, and bare session.run on the same input size for comparison.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { FrameTimings } from '../edge/camera-pipeline.ts';
import { startEdge } from '../edge/main.ts';
import { MODEL_CATALOG } from '../models/catalog.ts';
import { requestedInputShape, withInputShape } from '../models/derived-model.ts';
import { resolveModel } from '../models/resolve.ts';
import { benchBroker, benchEdgeConfig, percentile, round } from './bench-util.ts';

const BARE_RUNS = 30;

async function bareSessionRunMs(file: string, threads: number): Promise<number> {
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const m of session.inputMetadata) {
      if (!m.isTensor) throw new Error(`${m.name} is not a tensor input`);
      const shape = m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      if (m.type === 'int64') {
        // DETR's orig_target_sizes: the source frame [W, H].
        feeds[m.name] = new ort.Tensor('int64', BigInt64Array.from([1920n, 1080n]), shape);
      } else {
        const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
        for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 255; // fixed, non-constant content
        feeds[m.name] = new ort.Tensor('float32', data, shape);
      }
    }
    for (let i = 0; i < 3; i++) await session.run(feeds);
    const ms: number[] = [];
    for (let i = 0; i < BARE_RUNS; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      ms.push(performance.now() - t0);
    }
    return percentile(
      ms.sort((a, b) => a - b),
      50,
    );
  } finally {
    await session.release();
  }
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

export async function benchPipeline() {
  const rows: Record<string, unknown>[] = [];
  for (const entry of MODEL_CATALOG) {
    const { broker, login } = await benchBroker();
    const cfg = benchEdgeConfig({
      brokerUrl: broker.url,
      brokerLogin: login,
      clip: 'hcmc_intersection_1080p.mp4',
      cameras: 1,
      // Paced like a live camera: ffmpeg decodes at the clip's 30 fps beside inference, as on a real box.
      realtime: true,
      loop: false,
      model: entry.name,
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'matthan-bench-pipeline-')),
      zones: [
        {
          id: 'all',
          polygon: [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
        },
      ],
      rules: [{ id: 'present', type: 'zone_dwell', zone: 'all', dwellS: 1 }],
    });
    const edge = await startEdge(cfg);
    const timings: FrameTimings[] = [];
    edge.observeTimings((_cam, t) => timings.push(t));
    await edge.ended;
    await edge.stop();
    await broker.close();
    const steady = timings.slice(3); // the first frames pay for lazy allocations
    const m = (k: keyof FrameTimings) => median(steady.map((t) => t[k]));
    const work = (t: FrameTimings) => t.preprocessMs + t.postprocessMs + t.trackMs + t.rulesMs + t.publishMs;
    const inference = m('inferenceMs');
    // The file the edge ran: the derived camera-shaped copy where the detector config asks for one.
    const { model } = await withInputShape(resolveModel(cfg.detector), cfg.detector, cfg.dataDir);
    const bare = await bareSessionRunMs(model.file, cfg.detector.intraOpThreads);
    rmSync(cfg.dataDir, { recursive: true, force: true });
    const shape = requestedInputShape(cfg.detector, model);
    rows.push({
      model: entry.name,
      input: shape ? `${shape.width}x${shape.height}` : entry.inputSize,
      frames: steady.length,
      decodeWaitMs: round(m('decodeWaitMs')),
      preprocessMs: round(m('preprocessMs')),
      inferenceMs: round(inference),
      postprocessMs: round(m('postprocessMs')),
      trackMs: round(m('trackMs'), 3),
      rulesMs: round(m('rulesMs'), 3),
      publishMs: round(m('publishMs'), 3),
      overheadRatio: round(median(steady.map(work)) / inference, 3),
      bareSessionRunMs: round(bare),
      inferenceVsBare: round(inference / bare, 3),
    });
    process.stderr.write(`pipeline ${entry.name}: ${JSON.stringify(rows.at(-1))}\n`);
  }
  return { threads: 2, clip: 'hcmc_intersection_1080p.mp4 at 5 fps, paced in real time', rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchPipeline(), null, 2));
}
