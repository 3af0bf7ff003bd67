// The central config's camera inventory, dedup and ingest fields: defaults, and errors naming path and value.
import { describe, expect, it } from 'vitest';
import { CameraInventory } from '../../central/config/camera-inventory.ts';
import { CentralConfigSchema, checkCentralConfig } from '../../central/config/schema.ts';
import { ConfigError } from '../../config/errors.ts';
import { parseConfig } from '../../config/load.ts';

const parse = (yaml: string) =>
  parseConfig(yaml, 'central.yaml', CentralConfigSchema, { check: checkCentralConfig });

function issuesOf(yaml: string): { path: string; reason: string }[] {
  try {
    parse(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => ({ path: i.path, reason: i.reason }));
    throw err;
  }
  return [];
}

describe('central config: cameras, dedup, ingest', () => {
  it('fills defaults', () => {
    const c = parse('{}');
    expect(c.cameras).toEqual([]);
    expect(c.dedup).toEqual({ mergeWindowS: 10 });
    expect(c.ingest).toEqual({
      batchSize: 500,
      quarantineMaxRows: 100_000,
      receiveMaximum: 1000,
      maxMessageBytes: 65_536,
      maxClockSkewS: 300,
      maxEventAgeDays: 0,
    });
    expect(c.broker.queueProbeMessages).toBe(2000);
  });

  it.each([
    [
      'cameras:\n  - { site: hue-c1, id: cam-1 }\n  - { site: hue-c1, id: cam-1 }',
      'cameras[1].id',
      'listed twice',
    ],
    ['cameras:\n  - { site: Hue C1, id: cam-1 }', 'cameras[0].site', ''],
    ['cameras:\n  - { site: hue-c1, id: cam-1, group: "a b" }', 'cameras[0].group', ''],
    [
      'cameras:\n  - { site: hue-c1, id: cam-1, location: { lat: 91, lon: 0 } }',
      'cameras[0].location.lat',
      '',
    ],
    ['cameras:\n  - { site: hue-c1, id: cam-1, source: rtsp://x }', 'cameras[0].source', ''],
    ['ingest: { batchSize: 0 }', 'ingest.batchSize', ''],
    ['ingest: { maxMessageBytes: 100 }', 'ingest.maxMessageBytes', 'must be >= 1024'],
    ['ingest: { maxClockSkewS: 0 }', 'ingest.maxClockSkewS', 'must be >= 1'],
    ['ingest: { maxEventAgeDays: -1 }', 'ingest.maxEventAgeDays', 'must be >= 0'],
    ['broker: { queueProbeMessages: -1 }', 'broker.queueProbeMessages', 'must be >= 0'],
    ['dedup: { mergeWindowS: -1 }', 'dedup.mergeWindowS', 'must be >= 0'],
    // The removed same-camera position merge: named, with what to do, so an upgrade says what changed.
    ['dedup: { mergeDistance: 0.15 }', 'dedup.mergeDistance', 'removed: central no longer merges'],
    ['dedup: { overlapToleranceMs: 1000 }', 'dedup.overlapToleranceMs', 'Delete this line'],
    ['dedup: { mergeDistanceX: 1 }', 'dedup.mergeDistanceX', 'unknown field'],
  ])('%s -> %s', (yaml, path, reason) => {
    const issues = issuesOf(yaml);
    const hit = issues.find((i) => i.path === path);
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit!.reason).toContain(reason);
  });

  it('the same camera id on two sites is two cameras', () => {
    expect(issuesOf('cameras:\n  - { site: hue-c1, id: cam-1 }\n  - { site: hcmc-d1, id: cam-1 }')).toEqual(
      [],
    );
  });
});

describe('CameraInventory', () => {
  const inv = new CameraInventory([
    { site: 'hue-c1', id: 'cam-n', group: 'junction-7', name: 'north' },
    { site: 'hue-c1', id: 'cam-e', group: 'junction-7' },
    { site: 'hue-c1', id: 'cam-s' },
  ]);
  it.each([
    ['hue-c1', 'cam-n', 'junction-7'],
    ['hue-c1', 'cam-e', 'junction-7'],
    ['hue-c1', 'cam-s', undefined],
    ['hcmc-d1', 'cam-n', undefined],
    ['hue-c1', 'cam-unknown', undefined],
  ])('groupOf(%s, %s) = %s', (site, camera, group) => {
    expect(inv.groupOf(site, camera)).toBe(group);
  });
  it('finds the entry', () => {
    expect(inv.get('hue-c1', 'cam-n')?.name).toBe('north');
    expect(inv.get('hue-c1', 'nope')).toBeUndefined();
  });
});
