import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.ts';
import { parseConfig } from '../../config/load.ts';
import { checkEdgeConfig, EdgeConfigSchema } from '../../edge/config/schema.ts';
import { TrackerSchema } from '../../edge/track/tracker-schema.ts';

const yaml = (tracker: string) => `
site: s1
cameras:
  - id: cam-1
    source: { url: media:hcmc_intersection_1080p.mp4 }
${tracker ? `    tracker: ${tracker}` : ''}
`;

/** Schema issues name JSON pointers (/cameras/0/x), cross-field ones dotted paths (cameras[0].x). */
const pointer = (p: string) =>
  `/${p
    .replace(/\[(\d+)\]/g, '.$1')
    .replaceAll('.', '/')
    .replace(/^\//, '')}`;

function parse(tracker: string) {
  return parseConfig(yaml(tracker), 'tracker.yaml', EdgeConfigSchema, { env: {}, check: checkEdgeConfig });
}

describe('camera tracker config', () => {
  it('defaults to the documented ByteTrack values when absent', () => {
    expect(parse('').cameras[0]!.tracker).toEqual({
      trackThresh: 0.5,
      lowThresh: 0.1,
      newTrackThresh: 0.6,
      matchIou: 0.2,
      minHits: 3,
      lostTrackBufferMs: 1500,
      reidStationaryMs: 30_000,
      reidIou: 0.5,
      pathLength: 64,
    });
  });

  it('keeps given values and fills the rest', () => {
    const t = parse('{ minHits: 5, lostTrackBufferMs: 3000 }').cameras[0]!.tracker;
    expect(t.minHits).toBe(5);
    expect(t.lostTrackBufferMs).toBe(3000);
    expect(t.trackThresh).toBe(0.5);
  });

  it.each([
    ['{ lowThresh: 0.6 }', 'cameras[0].tracker.lowThresh', 'at most trackThresh'],
    ['{ newTrackThresh: 0.4 }', 'cameras[0].tracker.newTrackThresh', 'at least trackThresh'],
    ['{ minHits: 0 }', '/cameras/0/tracker/minHits', ''],
    ['{ matchIou: 0 }', '/cameras/0/tracker/matchIou', ''],
    ['{ lostTrackBuffer: 10 }', '/cameras/0/tracker', ''],
    ['{ reidStationaryMs: -1 }', '/cameras/0/tracker/reidStationaryMs', ''],
    ['{ reidStationaryMs: 600001 }', '/cameras/0/tracker/reidStationaryMs', ''],
    ['{ reidIou: 0 }', '/cameras/0/tracker/reidIou', ''],
    ['{ reidIou: 1.5 }', '/cameras/0/tracker/reidIou', ''],
  ])('refuses %s naming the field', (tracker, path, reason) => {
    let err: unknown;
    try {
      parse(tracker);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    const hit = issues.find((i) => pointer(i.path).startsWith(pointer(path)));
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit!.reason).toContain(reason);
  });

  it.each(Object.entries(TrackerSchema.properties))('%s is documented with its default', (_, prop) => {
    const p = prop as { description?: string; default?: unknown };
    expect(p.description).toContain(`default ${p.default}`);
  });
});
