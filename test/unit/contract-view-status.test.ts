import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, validateStatus } from '../../contract/index.ts';

const base = {
  schemaVersion: SCHEMA_VERSION,
  site: 's1',
  camera: 'cam-01',
  state: 'online',
  ts: 1_763_700_000_000,
};

describe('status message: the optional view field', () => {
  it.each([
    ['an older message without it', base, true],
    ['steady, never measured yet', { ...base, view: { state: 'steady', paused: false, sinceTs: 1 } }, true],
    [
      'moved, with shift, zoom and roll',
      {
        ...base,
        view: {
          state: 'moved',
          paused: true,
          sinceTs: 1,
          shiftNorm: [0.0012, -0.0031],
          scale: 1.1004,
          rotationDeg: -0.03,
        },
      },
      true,
    ],
    [
      'uncertain with a reason',
      { ...base, view: { state: 'uncertain', paused: true, sinceTs: 1, reason: 'dark' } },
      true,
    ],
    ['an unknown state', { ...base, view: { state: 'shaking', paused: true, sinceTs: 1 } }, false],
    ['without paused', { ...base, view: { state: 'moved', sinceTs: 1 } }, false],
    [
      'a shift with one component',
      { ...base, view: { state: 'moved', paused: true, sinceTs: 1, shiftNorm: [0.1] } },
      false,
    ],
    ['a negative zoom', { ...base, view: { state: 'moved', paused: true, sinceTs: 1, scale: -1 } }, false],
    [
      'an extra field',
      { ...base, view: { state: 'steady', paused: false, sinceTs: 1, homography: [] } },
      false,
    ],
    ['a view that is not an object', { ...base, view: 'moved' }, false],
  ])('%s', (_n, msg, ok) => {
    const v = validateStatus(msg);
    expect(v.ok).toBe(ok);
    if (!v.ok) expect(v.errors.join(' ')).toMatch(/view/);
  });
});
