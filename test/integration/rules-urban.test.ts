// illegal_stop on the real US street clip: a no-stopping zone over the left curb lane, where a pickup, a car and a
// delivery van stand for the whole clip, fires for those and never for the traffic moving down the carriageway.
// Geometry drawn on frames at 1 s, 12 s and 22 s (each grid cell 0.1 x 0.1). Checked by rendering the event boxes
// at 7 s: the two starts (yolox_nano, 5 fps) are the parked white pickup (box ~0.32,0.44-0.39,0.55) and the delivery
// van (~0.43,0.28-0.49,0.36); the white car parked between them is not detected steadily enough to fire.
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../central/broker/embedded-broker.ts';
import { parseConfig } from '../../config/load.ts';
import type { MatthanEvent } from '../../contract/index.ts';
import { CameraPipeline } from '../../edge/camera-pipeline.ts';
import type { AttributeClassifier } from '../../edge/classify/attribute-classifier.ts';
import { cropResizeChw } from '../../edge/classify/crop-resize.ts';
import { OnnxAttributeClassifier, softmaxArgmax } from '../../edge/classify/onnx-attribute-classifier.ts';
import { checkEdgeConfig, EdgeConfigSchema } from '../../edge/config/schema.ts';
import { DetectorPool } from '../../edge/detect/detector-pool.ts';
import { detectorConfig } from '../../edge/detect/detector-schema.ts';
import { loadDetector } from '../../edge/detect/load-detector.ts';
import { stillFrame } from '../../edge/detect/still-frame.ts';
import type { Frame } from '../../edge/ingest/frame.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { startEdge } from '../../edge/main.ts';
import { pointInPolygon } from '../../edge/rules/geometry.ts';
import { logger } from '../../lib/log.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { MODELS_DIR, media, tempDir } from '../helpers/fixtures.ts';

const CURB: [number, number][] = [
  [0.29, 0.58],
  [0.43, 0.58],
  [0.49, 0.25],
  [0.455, 0.25],
];
const LANES: [number, number][] = [
  [0.47, 0.3],
  [0.62, 0.3],
  [0.78, 0.8],
  [0.44, 0.8],
];

/** Largest distance of a path point from the path's first point. */
const travel = (path: readonly (readonly [number, number])[]) =>
  Math.max(0, ...path.map((p) => Math.hypot(p[0] - path[0]![0], p[1] - path[0]![1])));

describe('illegal_stop on us_street_intersection_360p.mp4 (curb lane)', () => {
  let broker: EmbeddedBroker;
  let watcher: MqttClient;
  const events: MatthanEvent[] = [];

  beforeAll(async () => {
    const creds = new TestCredentials();
    const box = creds.box('us-demo');
    broker = await startEmbeddedBroker({ accounts: creds.accounts() });
    watcher = await mqtt.connectAsync(broker.url, creds.centralMqtt);
    watcher.on('message', (_t, payload) => events.push(JSON.parse(payload.toString()) as MatthanEvent));
    await watcher.subscribeAsync('matthan/v1/+/+/events', { qos: 1 });
    const config = parseConfig(
      `
site: us-demo
dataDir: ${tempDir()}
broker: { url: ${broker.url}, username: ${box.name}, password: ${box.mqttPassword} }
http: { port: 0 }
evidence: { enabled: false }
cameras:
  # Played at camera speed: read flat out the pipeline would skip frames of the moving traffic.
  - id: cam-downtown
    source: { url: media:us_street_intersection_360p.mp4, realtime: true, loop: false }
    ring: { enabled: false }
    fps: 5
    zones:
      - { id: curb-left, polygon: ${JSON.stringify(CURB)} }
      - { id: travel-lanes, polygon: ${JSON.stringify(LANES)} }
    rules:
      - { id: curb-no-stop, type: illegal_stop, zone: curb-left, classes: [car, truck, bus], stationaryS: 6, windowS: 3 }
      - { id: lanes-moving, type: zone_dwell, zone: travel-lanes, classes: [car, truck, bus], dwellS: 0.5 }
`,
      'urban.yaml',
      EdgeConfigSchema,
      { check: checkEdgeConfig, env: {} },
    );
    const edge = await startEdge(config);
    await edge.ended;
    await edge.stop();
    const deadline = Date.now() + 5000;
    while (events.length < edge.stats().eventsPublished && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
  }, 180_000);

  afterAll(async () => {
    await watcher?.endAsync();
    await broker?.close();
  });

  it('fires for the vehicles standing in the curb lane', () => {
    const starts = events.filter((e) => e.rule === 'curb-no-stop' && e.phase === 'start');
    expect(new Set(starts.map((e) => e.trackId)).size).toBeGreaterThanOrEqual(2);
    for (const e of starts) {
      const b = e.boxXyxyNorm;
      expect(pointInPolygon((b[0] + b[2]) / 2, b[3], CURB)).toBe(true);
      expect(e.details?.dwellS).toBeGreaterThanOrEqual(6);
      // stationary: its recent path stays within a few pixels
      expect(travel(e.details?.pathNorm ?? [])).toBeLessThan(0.02);
    }
  });

  it('one event per standing vehicle: no track starts twice', () => {
    const starts = events.filter((e) => e.rule === 'curb-no-stop' && e.phase === 'start');
    expect(new Set(starts.map((e) => e.trackId)).size).toBe(starts.length);
  });

  it('never fires for the traffic moving down the carriageway', () => {
    const moving = new Set(
      events
        .filter((e) => e.rule === 'lanes-moving' && travel(e.details?.pathNorm ?? []) > 0.05)
        .map((e) => e.trackId),
    );
    expect(moving.size).toBeGreaterThanOrEqual(2); // the clip has moving traffic, and it was tracked
    const fired = events.filter((e) => e.rule === 'curb-no-stop').map((e) => e.trackId);
    for (const id of fired) expect(moving.has(id)).toBe(false);
  });
});

// The classifier hook wired in the real pipeline (ffmpeg, yolox_nano, ByteTrack) on the HCMC intersection clip
// (motorbikes among the cars; yolox_nano finds few confident motorbikes on the street clip). No helmet model is available, so the classifier is an in-process AttributeClassifier that really
// crops each box from the frame (cropResizeChw) and answers a fixed label: the test shows the crops flow, the
// votes reach no_helmet rules, and the verdict alone decides (all-helmet fires nothing).
class FixedLabelClassifier implements AttributeClassifier {
  crops = 0;
  private readonly buf = new Float32Array(3 * 64 * 64);
  constructor(private readonly label: string) {}
  async classify(frame: Frame, box: readonly [number, number, number, number]) {
    const x = cropResizeChw(frame, box, 64, 'unit', this.buf);
    for (let i = 0; i < x.length; i += 97)
      if (!(x[i]! >= 0 && x[i]! <= 1)) throw new Error(`crop value ${x[i]}`);
    this.crops++;
    return { label: this.label, score: 0.9 };
  }
  async close() {
    this.crops = 0;
  }
}

describe('no_helmet through the pipeline with the classifier hook (hcmc_intersection_1080p.mp4)', () => {
  const runWith = async (label: string) => {
    const cfg = parseConfig(
      `
site: s1
cameras:
  - id: cam-street
    source: { url: media:hcmc_intersection_1080p.mp4, realtime: false, loop: false }
    fps: 5
    classifier: { model: helmet.onnx, labels: [helmet, no_helmet], classes: [motorcycle], everyNFrames: 3, minVotes: 3 }
    rules:
      - { id: helmet, type: no_helmet, classes: [motorcycle] }
`,
      'helmet.yaml',
      EdgeConfigSchema,
      { check: checkEdgeConfig, env: {} },
    );
    const camera = cfg.cameras[0]!;
    const dc = detectorConfig({ model: 'yolox_nano' });
    const detector = (await loadDetector(dc, { dataDir: tempDir() })).detector;
    const classifier = new FixedLabelClassifier(label);
    const out: MatthanEvent[] = [];
    const pipeline = new CameraPipeline({
      site: 's1',
      camera,
      source: resolveSourceUrl(camera.source.url),
      pool: new DetectorPool(detector),
      timezone: 'Asia/Ho_Chi_Minh',
      log: logger('test', { camera: camera.id }),
      emitEvent: (e) => out.push(e),
      emitStatus: () => undefined,
      attributeClassifier: classifier,
    });
    pipeline.start();
    await pipeline.ended;
    await pipeline.stop();
    await detector.close();
    return { events: out, crops: classifier.crops };
  };

  it('every motorbike voted no_helmet fires once; all-helmet verdicts fire nothing', async () => {
    const no = await runWith('no_helmet');
    expect(no.crops).toBeGreaterThan(20);
    const starts = no.events.filter((e) => e.phase === 'start');
    expect(starts.length).toBeGreaterThanOrEqual(3);
    expect(new Set(starts.map((e) => e.trackId)).size).toBe(starts.length);
    for (const e of starts) {
      expect(e.ruleType).toBe('no_helmet');
      expect(e.label).toBe('motorcycle');
      expect(e.details?.attribute).toBe('no_helmet');
    }
    const yes = await runWith('helmet');
    expect(yes.crops).toBeGreaterThan(20);
    expect(yes.events).toEqual([]);
  }, 240_000);
});

describe('OnnxAttributeClassifier with a real ONNX session', () => {
  const cfg = {
    model: 'x.onnx',
    labels: ['helmet', 'no_helmet'],
    inputSize: 416,
    normalization: 'unit' as const,
    classes: ['motorcycle'],
    everyNFrames: 5,
    minVotes: 3,
    minScore: 0.5,
  };
  it('a missing model file is a clear error naming classifier.model', async () => {
    await expect(OnnxAttributeClassifier.load(path.join(tempDir(), 'helmet.onnx'), cfg)).rejects.toThrow(
      /classifier\.model .*helmet\.onnx: cannot load ONNX model/,
    );
  });

  it('crops a real frame into the session; a model whose output does not match labels is refused clearly', async () => {
    // yolox_nano takes [1,3,416,416] like a 416 classifier would, but outputs detections, not 2 class scores.
    const c = await OnnxAttributeClassifier.load(path.join(MODELS_DIR, 'yolox_nano.onnx'), cfg);
    const frame = await stillFrame(media('street_nyc_crossing.jpg'), {
      width: 416,
      height: 416,
      pixelFormat: 'rgb24',
      fit: 'letterbox-center',
      padValue: 114,
    });
    await expect(c.classify(frame, [0.2, 0.3, 0.4, 0.7])).rejects.toThrow(
      /classifier output has \d+ scores but classifier\.labels lists 2/,
    );
    await c.close();
  });

  it.each<[string, number[], string, number]>([
    ['logits', [2, 0], 'helmet', 1 / (1 + Math.exp(-2))],
    ['probabilities are kept', [0.3, 0.7], 'no_helmet', 0.7],
    ['equal logits', [1, 1], 'helmet', 0.5],
  ])('softmaxArgmax: %s', (_name, scores, label, score) => {
    const r = softmaxArgmax(scores, ['helmet', 'no_helmet']);
    expect(r.label).toBe(label);
    expect(r.score).toBeCloseTo(score, 9);
  });
});
