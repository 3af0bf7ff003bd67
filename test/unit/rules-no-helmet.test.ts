// no_helmet: the voter, the attribute stage and the rule, behind the AttributeClassifier plug point. No helmet
// model is available to this project, so the classifier here is an in-memory implementation of the interface
// scripted per track; the crop/resize the ONNX classifier uses is tested on a real frame at the end.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.ts';
import { parseConfig } from '../../config/load.ts';
import type { AttributeClassifier, AttributeResult } from '../../edge/classify/attribute-classifier.ts';
import { AttributeStage } from '../../edge/classify/attribute-stage.ts';
import { cropResizeChw } from '../../edge/classify/crop-resize.ts';
import { TrackAttributeVoter } from '../../edge/classify/track-attribute-voter.ts';
import { checkEdgeConfig, EdgeConfigSchema } from '../../edge/config/schema.ts';
import { stillFrame } from '../../edge/detect/still-frame.ts';
import type { Frame, FrameSpec } from '../../edge/ingest/frame.ts';
import { RulesEngine, type Transition } from '../../edge/rules/engine.ts';
import { NoHelmetRule, type NoHelmetRuleConfig } from '../../edge/rules/no-helmet.ts';
import { media } from '../helpers/fixtures.ts';
import { T0, TrackSim } from '../helpers/rule-sim.ts';

/** Answers per track from a script: the k-th crop of track id gets script[id][k % length]. */
class ScriptedClassifier implements AttributeClassifier {
  readonly calls: number[] = [];
  private readonly n = new Map<number, number>();
  constructor(
    private readonly script: Record<number, AttributeResult[]>,
    private readonly idOfBox: (box: readonly number[]) => number,
  ) {}
  async classify(_frame: Frame, box: readonly [number, number, number, number]): Promise<AttributeResult> {
    const id = this.idOfBox(box);
    this.calls.push(id);
    const k = this.n.get(id) ?? 0;
    this.n.set(id, k + 1);
    const s = this.script[id]!;
    return s[k % s.length]!;
  }
  async close(): Promise<void> {
    this.n.clear();
  }
}

const NH = (score = 0.9): AttributeResult => ({ label: 'no_helmet', score });
const H = (score = 0.9): AttributeResult => ({ label: 'helmet', score });
const spec: FrameSpec = { width: 32, height: 32, pixelFormat: 'rgb24', fit: 'stretch', padValue: 114 };
const blankFrame = (tsMs: number): Frame => ({
  cameraId: 'c',
  seq: 0,
  tsMs,
  spec,
  content: { x: 0, y: 0, width: 32, height: 32 },
  sourceWidth: 32,
  sourceHeight: 32,
  data: Buffer.alloc(32 * 32 * 3),
});

const ruleCfg: NoHelmetRuleConfig = {
  type: 'no_helmet',
  id: 'helmet',
  violationLabel: 'no_helmet',
  classes: ['motorcycle'],
  cooldownS: 30,
  minConfidence: 0.3,
  minBoxArea: 0,
};

interface Rider {
  id: number;
  label?: string;
  confirmed?: boolean;
}

/** Runs riders (x = id / 10 identifies the track for the scripted classifier) for n frames at 5 fps. */
async function run(
  riders: Rider[],
  script: Record<number, AttributeResult[]>,
  n: number,
  stageCfg = { classes: ['motorcycle'], everyNFrames: 5, minVotes: 3, minScore: 0.5 },
): Promise<{ ts: Transition[]; classifier: ScriptedClassifier }> {
  const classifier = new ScriptedClassifier(script, (box) => Math.round(((box[0]! + box[2]!) / 2) * 10));
  const stage = new AttributeStage(stageCfg, classifier);
  const engine = new RulesEngine([{ rule: new NoHelmetRule(ruleCfg, stage.voter), cfg: ruleCfg }], {
    newId: () => 'evt',
  });
  const sim = new TrackSim();
  const ts: Transition[] = [];
  for (let i = 0; i < n; i++) {
    const tsMs = T0 + i * 200;
    const tracks = sim.frame(
      riders.map((r) => ({
        id: r.id,
        x: r.id / 10,
        y: 0.8,
        label: r.label ?? 'motorcycle',
        confirmed: r.confirmed,
      })),
      tsMs,
    );
    await stage.run(blankFrame(tsMs), tracks);
    ts.push(...engine.step(tracks, tsMs));
  }
  return { ts, classifier };
}

describe('TrackAttributeVoter', () => {
  it.each<[string, string[], number, string | undefined]>([
    ['no votes', [], 3, undefined],
    ['2 votes < minVotes 3', ['no_helmet', 'no_helmet'], 3, undefined],
    ['3 of 3', ['no_helmet', 'no_helmet', 'no_helmet'], 3, 'no_helmet'],
    ['2 of 3 is a strict majority', ['no_helmet', 'helmet', 'no_helmet'], 3, 'no_helmet'],
    ['2 of 4 is a tie: no verdict', ['no_helmet', 'helmet', 'no_helmet', 'helmet'], 3, undefined],
    ['a plurality of 2 of 5 is not a majority', ['a', 'a', 'b', 'c', 'd'], 3, undefined],
    ['minVotes 1', ['helmet'], 1, 'helmet'],
  ])('%s', (_name, votes, minVotes, expected) => {
    const v = new TrackAttributeVoter(minVotes);
    for (const [i, l] of votes.entries()) v.add(1, l, T0 + i);
    expect(v.verdict(1)?.label).toBe(expected);
    expect(v.verdict(2)).toBeUndefined();
  });

  it('forgets a track after forgetMs without votes', () => {
    const v = new TrackAttributeVoter(1, 10_000);
    v.add(1, 'helmet', T0);
    v.sweep(T0 + 5_000);
    expect(v.verdict(1)?.label).toBe('helmet');
    v.sweep(T0 + 10_001);
    expect(v.verdict(1)).toBeUndefined();
  });
});

describe('no_helmet through the attribute stage and the rules engine', () => {
  it.each<[string, Rider[], Record<number, AttributeResult[]>, number, number[]]>([
    ['empty frames', [], {}, 50, []],
    ['a rider without a helmet in every crop fires once', [{ id: 3 }], { 3: [NH()] }, 100, [3]],
    ['a rider with a helmet never fires', [{ id: 3 }], { 3: [H()] }, 100, []],
    [
      'alternating verdicts starting with helmet (no_helmet never > half) never fire',
      [{ id: 3 }],
      { 3: [H(), NH()] },
      100,
      [],
    ],
    ['2 of 3 crops no_helmet fires', [{ id: 3 }], { 3: [NH(), H(), NH()] }, 100, [3]],
    ['low-score crops cast no vote', [{ id: 3 }], { 3: [NH(0.4)] }, 100, []],
    ['2 crops (10 frames) are below minVotes 3', [{ id: 3 }], { 3: [NH()] }, 10, []],
    [
      'an unconfirmed rider is neither classified nor fired',
      [{ id: 3, confirmed: false }],
      { 3: [NH()] },
      100,
      [],
    ],
    ['a car is not classified', [{ id: 3, label: 'car' }], { 3: [NH()] }, 100, []],
    ['two riders: only the one without a helmet', [{ id: 2 }, { id: 6 }], { 2: [H()], 6: [NH()] }, 100, [6]],
  ])('%s', async (_name, riders, script, n, firedIds) => {
    const { ts } = await run(riders, script, n);
    const s = ts.filter((t) => t.phase === 'start');
    expect(s.map((t) => t.hit.trackId)).toEqual(firedIds);
    for (const t of s) expect(t.hit.details?.attribute).toBe('no_helmet');
    expect(ts.filter((t) => t.phase === 'end').length).toBe(s.length); // instant: once per track
  });

  it('classifies each track every everyNFrames frames only', async () => {
    const { classifier } = await run([{ id: 3 }], { 3: [H()] }, 50);
    expect(classifier.calls.length).toBe(10);
  });
});

describe('no_helmet config', () => {
  const yaml = (extra: string, violation = 'no_helmet') => `
site: s1
cameras:
  - id: cam-1
    source: { url: media:hcmc_street_wrongway.mp4 }
${extra}
    rules:
      - { id: helmet, type: no_helmet, classes: [motorcycle], violationLabel: ${violation} }
`;
  const issues = (text: string) => {
    try {
      parseConfig(text, 'edge.yaml', EdgeConfigSchema, { check: checkEdgeConfig, env: {} });
    } catch (err) {
      if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.reason}`).join('\n');
      throw err;
    }
    return '';
  };
  const classifier = '    classifier: { model: helmet.onnx, labels: [helmet, no_helmet] }';
  it.each<[string, string, string, RegExp | undefined]>([
    [
      'without a classifier block the rule names the missing block',
      '',
      'no_helmet',
      /cameras\[0\]\.classifier: rule helmet \(no_helmet\) needs the camera's classifier block/,
    ],
    [
      'a violation label the classifier does not have',
      classifier,
      'bare_head',
      /violationLabel: not one of classifier\.labels \(helmet, no_helmet\)/,
    ],
    ['a classifier block makes it valid', classifier, 'no_helmet', undefined],
  ])('%s', (_name, extra, violation, re) => {
    const got = issues(yaml(extra, violation));
    if (re) expect(got).toMatch(re);
    else expect(got).toBe('');
  });
});

describe('cropResizeChw on a real frame', () => {
  const big: FrameSpec = {
    width: 416,
    height: 416,
    pixelFormat: 'rgb24',
    fit: 'letterbox-center',
    padValue: 114,
  };
  const px = (f: Frame, x: number, y: number, ch: number) => {
    const k = f.spec.pixelFormat === 'bgr24' ? 2 - ch : ch;
    return f.data[(y * f.spec.width + x) * 3 + k]!;
  };
  it('a crop of exactly size x size frame pixels copies them (content offset, RGB planes) in rgb and bgr frames', async () => {
    for (const pixelFormat of ['rgb24', 'bgr24'] as const) {
      const f = await stillFrame(media('street_nyc_crossing.jpg'), { ...big, pixelFormat });
      const c = f.content;
      // a 32 x 32 pixel box at content pixel (100, 60), expressed normalised to the source picture
      const box: [number, number, number, number] = [
        100 / c.width,
        60 / c.height,
        132 / c.width,
        92 / c.height,
      ];
      const out = cropResizeChw(f, box, 32, 'unit');
      for (const [ox, oy] of [
        [0, 0],
        [31, 0],
        [13, 17],
        [31, 31],
      ] as const) {
        for (let ch = 0; ch < 3; ch++)
          expect(out[ch * 1024 + oy * 32 + ox]! * 255).toBeCloseTo(
            px(f, c.x + 100 + ox, c.y + 60 + oy, ch),
            3,
          );
      }
    }
  });

  it('a downscaled crop keeps the region mean (bilinear), reuses the buffer, applies imagenet scaling', async () => {
    const f = await stillFrame(media('street_nyc_crossing.jpg'), big);
    const c = f.content;
    const box: [number, number, number, number] = [0.2, 0.3, 0.6, 0.7];
    const x0 = Math.round(c.x + 0.2 * c.width);
    const x1 = Math.round(c.x + 0.6 * c.width);
    const y0 = Math.round(c.y + 0.3 * c.height);
    const y1 = Math.round(c.y + 0.7 * c.height);
    let sum = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += px(f, x, y, 1);
    const regionMean = sum / ((x1 - x0) * (y1 - y0)) / 255;
    const buf = new Float32Array(3 * 24 * 24);
    const out = cropResizeChw(f, box, 24, 'unit', buf);
    expect(out).toBe(buf);
    let m = 0;
    for (let i = 0; i < 576; i++) m += out[576 + i]!;
    expect(m / 576).toBeCloseTo(regionMean, 1);
    const norm = cropResizeChw(f, box, 24, 'imagenet');
    expect(norm[576 + 5]!).toBeCloseTo((out[576 + 5]! - 0.456) / 0.224, 5);
  });
});
