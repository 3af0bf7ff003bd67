import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.ts';
import { parseConfig } from '../../config/load.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { detectorConfig } from '../../edge/detect/detector-schema.ts';

const edge = (detector: string, detections = '') => `
site: s1
detector: ${detector}
cameras:
  - id: cam-1
    source: { url: media:hcmc_intersection_1080p.mp4 }
${detections ? `    detections: ${detections}\n` : ''}`;

function issuesOf(text: string) {
  try {
    parseConfig(text, 'test.yaml', EdgeConfigSchema, { env: {} });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.reason}`);
    throw err;
  }
  return [];
}

describe('detector and per-camera detection config', () => {
  it('model: yolox_nano alone stays valid and gets every default', () => {
    const cfg = parseConfig(edge('{ model: yolox_nano }'), 't.yaml', EdgeConfigSchema, { env: {} });
    expect(cfg.detector).toEqual({
      model: 'yolox_nano',
      confidence: 0.3,
      nmsIou: 0.45,
      dedupeIou: 0.8,
      intraOpThreads: 2,
      interOpThreads: 1,
      graphOptimizationLevel: 'all',
      executionProvider: 'cpu',
      warmupRuns: 2,
      threadSpinning: false,
    });
    expect(cfg.cameras[0]!.detections).toEqual({
      minConfidence: 0,
      minBoxWidthNorm: 0,
      minBoxHeightNorm: 0,
      roi: [],
      masks: [],
    });
  });

  it('detectorConfig() fills the same defaults as the config loader', () => {
    const cfg = parseConfig(edge('{ model: deimv2_atto }'), 't.yaml', EdgeConfigSchema, { env: {} });
    expect(detectorConfig({ model: 'deimv2_atto' })).toEqual(cfg.detector);
  });

  it('a full per-camera filter parses', () => {
    const cfg = parseConfig(
      edge(
        '{ model: deimv2_femto, family: detr, confidence: 0.4, classes: [car, motorcycle], classConfidence: { car: 0.5 } }',
        '{ classes: [motorcycle], minBoxHeightNorm: 0.02, roi: [[[0, 0.4], [1, 0.4], [1, 1], [0, 1]]], masks: [[[0, 0], [0.2, 0], [0.2, 0.1]]] }',
      ),
      't.yaml',
      EdgeConfigSchema,
      { env: {} },
    );
    expect(cfg.detector.classConfidence).toEqual({ car: 0.5 });
    expect(cfg.cameras[0]!.detections.roi[0]).toHaveLength(4);
    expect(cfg.cameras[0]!.detections.minConfidence).toBe(0);
  });

  it.each([
    ['{ model: yolox_nano, family: yolov5 }', '', 'detector.family: must be one of'],
    [
      '{ model: yolox_nano, graphOptimizationLevel: max }',
      '',
      'detector.graphOptimizationLevel: must be one of',
    ],
    [
      '{ model: yolox_nano, classConfidence: { car: 1.5 } }',
      '',
      'detector.classConfidence.car: must be <= 1',
    ],
    ['{ model: yolox_nano, classes: [] }', '', 'detector.classes: must NOT have fewer than 1 items'],
    ['{ model: yolox_nano, inputSize: 16 }', '', 'detector.inputSize: must be >= 32'],
    ['{ model: yolox_nano, warmupRuns: 0 }', '', 'detector.warmupRuns: must be >= 1'],
    [
      '{ model: yolox_nano }',
      '{ roi: [[[0, 0], [1, 1]]] }',
      'cameras[0].detections.roi[0]: must NOT have fewer than 3 items',
    ],
    [
      '{ model: yolox_nano }',
      '{ masks: [[[0, 0], [2, 0], [1, 1]]] }',
      'cameras[0].detections.masks[0][1][0]: must be <= 1',
    ],
    [
      '{ model: yolox_nano }',
      '{ minBoxWidthNorm: 12 }',
      'cameras[0].detections.minBoxWidthNorm: must be <= 1',
    ],
    ['{ model: yolox_nano }', '{ clases: [car] }', 'cameras[0].detections.clases: unknown field'],
  ])('rejects %s %s', (detector, detections, expected) => {
    const issues = issuesOf(edge(detector, detections));
    expect(
      issues.some((i) => i.startsWith(expected)),
      issues.join('\n'),
    ).toBe(true);
  });
});
