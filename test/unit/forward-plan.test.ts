// Which message an incident change or a verdict produces, per policy and what was already sent.
import { describe, expect, it } from 'vitest';
import { findCamera } from '../../central/forward/camera-lookup.ts';
import {
  type ForwardState,
  incidentFingerprint,
  planMessage,
  type Trigger,
} from '../../central/forward/forward-plan.ts';

const OPEN = { status: 'open', ended: false, evidence: { snapshot: 'ev_a_000001' } };
const sent = (i: typeof OPEN, seq = 1, cancelled = false): ForwardState => ({
  seq,
  fingerprint: incidentFingerprint(i),
  cancelled,
});
const CHANGE: Trigger = { kind: 'incident' };
const CONFIRM: Trigger = { kind: 'verdict', verdict: 'confirmed' };
const REJECT: Trigger = { kind: 'verdict', verdict: 'rejected' };

describe('planMessage', () => {
  it.each([
    // name, policy, incident, trigger, state, expected
    ['immediate: new incident -> Alert', 'immediate', OPEN, CHANGE, undefined, 'alert'],
    ['after-confirm: new incident -> nothing', 'after-confirm', OPEN, CHANGE, undefined, null],
    [
      'after-confirm: confirmed -> Alert',
      'after-confirm',
      { ...OPEN, status: 'confirmed' },
      CONFIRM,
      undefined,
      'alert',
    ],
    ['immediate: same state again -> nothing', 'immediate', OPEN, CHANGE, sent(OPEN), null],
    [
      'immediate: incident ended -> Update',
      'immediate',
      { ...OPEN, ended: true },
      CHANGE,
      sent(OPEN),
      'update',
    ],
    [
      'immediate: clip arrived -> Update',
      'immediate',
      { ...OPEN, evidence: { snapshot: 'ev_a_000001', clip: 'ev_b_000001' } },
      CHANGE,
      sent(OPEN),
      'update',
    ],
    [
      'immediate: confirmed after Alert -> Update',
      'immediate',
      { ...OPEN, status: 'confirmed' },
      CONFIRM,
      sent(OPEN),
      'update',
    ],
    [
      'confirm already sent by the incident change -> nothing',
      'immediate',
      { ...OPEN, status: 'confirmed' },
      CONFIRM,
      sent({ ...OPEN, status: 'confirmed' }, 2),
      null,
    ],
    [
      'immediate: rejected after Alert -> Cancel',
      'immediate',
      { ...OPEN, status: 'rejected' },
      REJECT,
      sent(OPEN),
      'cancel',
    ],
    [
      'after-confirm: rejected, never sent -> nothing',
      'after-confirm',
      { ...OPEN, status: 'rejected' },
      REJECT,
      undefined,
      null,
    ],
    [
      'rejected twice -> one Cancel',
      'immediate',
      { ...OPEN, status: 'rejected' },
      REJECT,
      sent(OPEN, 2, true),
      null,
    ],
    [
      'change after Cancel -> nothing',
      'immediate',
      { ...OPEN, ended: true, status: 'rejected' },
      CHANGE,
      sent(OPEN, 2, true),
      null,
    ],
    [
      'open again after Cancel (no verdict) -> nothing',
      'immediate',
      { ...OPEN, ended: true },
      CHANGE,
      sent(OPEN, 2, true),
      null,
    ],
    [
      'confirmed after Cancel -> a new Alert',
      'immediate',
      { ...OPEN, status: 'confirmed' },
      CONFIRM,
      sent(OPEN, 2, true),
      'alert',
    ],
    [
      'change of a rejected incident never sent -> nothing',
      'immediate',
      { ...OPEN, status: 'rejected' },
      CHANGE,
      undefined,
      null,
    ],
    [
      'after-confirm: change after the Alert -> Update',
      'after-confirm',
      { ...OPEN, status: 'confirmed', ended: true },
      CHANGE,
      sent({ ...OPEN, status: 'confirmed' }),
      'update',
    ],
  ] as const)('%s', (_name, policy, incident, trigger, state, expected) => {
    expect(planMessage(policy, incident, trigger, state)).toBe(expected);
  });
});

describe('incidentFingerprint', () => {
  it.each([
    [
      'evidence order does not matter',
      { ...OPEN, evidence: { clip: 'x', snapshot: 'y' } },
      { ...OPEN, evidence: { snapshot: 'y2', clip: 'x2' } },
      true,
    ],
    ['null and empty evidence are the same', { ...OPEN, evidence: null }, { ...OPEN, evidence: {} }, true],
    ['ended differs', OPEN, { ...OPEN, ended: true }, false],
    ['status differs', OPEN, { ...OPEN, status: 'confirmed' }, false],
  ])('%s', (_name, a, b, same) => {
    expect(incidentFingerprint(a) === incidentFingerprint(b)).toBe(same);
  });
});

describe('findCamera: by site and camera, never by camera id alone', () => {
  const cams = [
    { site: 'site-a', id: 'cam-1', name: 'A one', location: { lat: 10, lon: 106 } },
    { site: 'site-b', id: 'cam-2', name: 'B two' },
  ];
  it.each([
    ['site-a', 'cam-1', 'A one'],
    ['site-b', 'cam-2', 'B two'],
    ['site-q', 'cam-1', undefined], // another site's cam-1: no name or position of site-a's
    ['site-a', 'cam-2', undefined],
    ['', '', undefined],
  ])('%s/%s -> %s', (site, camera, name) => {
    expect(findCamera(cams, site, camera)?.name).toBe(name);
  });
  it('an empty inventory knows no camera', () => {
    expect(findCamera([], 'site-a', 'cam-1')).toBeUndefined();
  });
});
