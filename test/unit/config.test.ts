import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCentralConfig } from '../../central/config/load.ts';
import { CentralConfigSchema } from '../../central/config/schema.ts';
import { ConfigError } from '../../config/errors.ts';
import { interpolateEnv, parseConfig } from '../../config/load.ts';
import { loadEdgeConfig } from '../../edge/config/load.ts';
import { checkEdgeConfig, EdgeConfigSchema } from '../../edge/config/schema.ts';
import { envSecretsFor } from '../helpers/credentials.ts';
import { REPO_ROOT } from '../helpers/fixtures.ts';

const examples = path.join(REPO_ROOT, 'config/examples');
const exampleSecrets = () => envSecretsFor(path.join(examples, 'central.yaml'));

const GOOD_EDGE = `
site: s1
broker: { url: mqtt://127.0.0.1:1883 }
detector: { model: yolox_nano }
cameras:
  - id: cam-1
    source: { url: media:hcmc_intersection_1080p.mp4 }
    zones:
      - id: z1
        polygon: [[0, 0], [1, 0], [1, 1]]
    lines:
      - id: l1
        points: [[0, 0.5], [1, 0.5]]
    rules:
      - id: r1
        type: zone_dwell
        zone: z1
`;

function issuesOf(text: string) {
  try {
    parseConfig(text, 'test.yaml', EdgeConfigSchema, { check: checkEdgeConfig, env: {} });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

describe('edge config', () => {
  it.each(readdirSync(examples).filter((f) => f.startsWith('edge-')))('example %s is valid', (file) => {
    const cfg = loadEdgeConfig(path.join(examples, file), {});
    expect(cfg.cameras.length).toBeGreaterThan(0);
  });

  it('fills defaults', () => {
    const cfg = parseConfig(GOOD_EDGE, 't.yaml', EdgeConfigSchema, { env: {} });
    expect(cfg.cameras[0]!.fps).toBe(5);
    expect(cfg.cameras[0]!.source.transport).toBe('tcp');
    expect(cfg.detector.confidence).toBe(0.3);
    expect(cfg.detector.threadSpinning).toBe(false); // a many-camera box needs the CPU for its decoders
    expect(cfg.cameras[0]!.source.skipLoopFilter).toBe(false);
    const rule = cfg.cameras[0]!.rules[0]!;
    expect(rule.cooldownS).toBe(30);
  });

  it.each([
    ['missing site', GOOD_EDGE.replace('site: s1\n', ''), 'site', 'is required'],
    ['bad site id', GOOD_EDGE.replace('site: s1', 'site: "Site 1"'), 'site', 'must match pattern'],
    [
      'fps zero',
      GOOD_EDGE.replace('    source:', '    fps: 0\n    source:'),
      'cameras[0].fps',
      'must be > 0',
    ],
    [
      'x above 1',
      GOOD_EDGE.replace('[[0, 0], [1, 0], [1, 1]]', '[[0, 0], [1.5, 0], [1, 1]]'),
      'cameras[0].zones[0].polygon[1][0]',
      'must be <= 1',
    ],
    [
      'two-point polygon',
      GOOD_EDGE.replace('[[0, 0], [1, 0], [1, 1]]', '[[0, 0], [1, 0]]'),
      'cameras[0].zones[0].polygon',
      'must NOT have fewer than 3 items',
    ],
    [
      'unknown rule type',
      GOOD_EDGE.replace('type: zone_dwell', 'type: jaywalk'),
      'cameras[0].rules[0].type',
      'zone_dwell',
    ],
    ['unknown field', GOOD_EDGE.replace('site: s1', 'site: s1\nsitee: x'), 'sitee', 'unknown field'],
    [
      'rule names a missing zone',
      GOOD_EDGE.replace('zone: z1', 'zone: nope'),
      'cameras[0].rules[0].zone',
      'no zone with this id',
    ],
    [
      'duplicate camera',
      GOOD_EDGE + GOOD_EDGE.slice(GOOD_EDGE.indexOf('  - id: cam-1')),
      'cameras[1].id',
      'duplicate camera id',
    ],
    [
      'transport typo',
      GOOD_EDGE.replace('source: { url', 'source: { transport: tpc, url'),
      'cameras[0].source.transport',
      'tcp',
    ],
  ])('%s: names path %s', (_name, text, pathExpected, reason) => {
    const issues = issuesOf(text);
    expect(issues.length).toBeGreaterThan(0);
    const hit = issues.find((i) => i.path === pathExpected);
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit!.reason).toContain(reason);
    expect(hit!.line).toBeGreaterThan(0);
  });

  it('reports YAML syntax errors with a line', () => {
    const issues = issuesOf('site: s1\ncameras: [\n');
    expect(issues[0]!.reason).toMatch(/YAML syntax/);
    expect(issues[0]!.line).toBeGreaterThan(0);
  });
});

describe('env interpolation', () => {
  it.each([
    ['${A}', { A: 'x' }, 'x', []],
    ['${A:-d}', {}, 'd', []],
    ['${A:-d}', { A: 'v' }, 'v', []],
    ['${A}', {}, '', ['A']],
    ['a${B}c${C}', { B: '1', C: '2' }, 'a1c2', []],
    ['no refs', {}, 'no refs', []],
  ])('%s', (text, env, expected, missingExpected) => {
    const missing: string[] = [];
    expect(interpolateEnv(text, env, missing)).toBe(expected);
    expect(missing).toEqual(missingExpected);
  });
});

describe('central config', () => {
  it('example is valid once its secrets are in the environment', () => {
    const cfg = loadCentralConfig(path.join(examples, 'central.yaml'), exampleSecrets());
    expect(cfg.broker.embedded).toBe(true);
    expect(cfg.auth.tokens.map((t) => t.role).sort()).toEqual(['admin', 'monitor', 'reviewer']);
    expect(cfg.edges.map((e) => [e.name, e.site])).toEqual([
      ['box-hcmc-d1-01', 'hcmc-d1'],
      ['box-hcmc-d3-01', 'hcmc-d3'],
    ]);
  });
  it('example without its secrets names each missing variable', () => {
    expect(() => loadCentralConfig(path.join(examples, 'central.yaml'), {})).toThrow(
      /MATTHAN_REVIEWER_TOKEN is not set[\s\S]*MATTHAN_BOX_D1_MQTT_PASSWORD is not set/,
    );
  });
  it('an empty file gets every default', () => {
    const cfg = parseConfig('', 'c.yaml', CentralConfigSchema, { env: {} });
    expect(cfg.http.port).toBe(8080);
    expect(cfg.broker.protocolVersion).toBe(4);
  });
  it('refuses a short token naming its path', () => {
    expect(() =>
      parseConfig(
        'auth: { tokens: [{ name: a, role: admin, token: short }] }',
        'c.yaml',
        CentralConfigSchema,
        { env: {} },
      ),
    ).toThrow(/auth\.tokens\[0\]\.token/);
  });
});
