// Schema version 2: events carry a licence plate and its crop; version 1 events of older edges stay valid.
import { describe, expect, it } from 'vitest';
import {
  SCHEMA_VERSION,
  SUPPORTED_SCHEMA_VERSIONS,
  Topics,
  validateEvent,
  validateStatus,
} from '../../contract/index.ts';
import { sampleEvent } from '../helpers/fixtures.ts';

const PLATE = { text: '30E-586.70', kind: 'car', confidence: 0.83, colour: 'white', reads: 6 } as const;

describe('plate in the event (schema 2)', () => {
  it('the current version is 2 and 1 is still accepted', () => {
    expect(SCHEMA_VERSION).toBe(2);
    expect(SUPPORTED_SCHEMA_VERSIONS).toEqual([1, 2]);
  });

  it.each([
    ['a read plate with its crop', { plate: PLATE, evidence: { plate: 'evt_0123456789abcdef_p' } }],
    ['a motorbike plate', { plate: { ...PLATE, text: '59-X1 123.45', kind: 'motorbike' } }],
    ['a special series with Đ', { plate: { ...PLATE, text: '29TĐ-123.45', kind: 'special' } }],
    ['an unreadable plate (no text)', { plate: { confidence: 0.2, colour: 'unknown', reads: 3 } }],
    ['a yellow plate', { plate: { ...PLATE, colour: 'yellow' } }],
  ])('accepts %s', (_n, patch) => {
    const ev = sampleEvent(patch as never);
    expect(validateEvent(ev)).toEqual({ ok: true, value: ev });
  });

  it('keeps an event with a plate under 1 KB', () => {
    const ev = sampleEvent({
      plate: PLATE,
      evidence: { snapshot: 'evt_0123456789abcdef_s', plate: 'evt_0123456789abcdef_p' },
    });
    expect(Buffer.byteLength(JSON.stringify(ev))).toBeLessThan(1024);
  });

  it('accepts a version 1 event of an older edge, without a plate', () => {
    const ev = sampleEvent({ schemaVersion: 1 });
    expect(validateEvent(ev).ok).toBe(true);
    expect(validateStatus({ schemaVersion: 1, site: 's1', camera: 'cam-1', state: 'online', ts: 1 }).ok).toBe(
      true,
    );
  });

  it('keeps the v1 topics (version 2 only added optional fields)', () => {
    expect(Topics.events('s', 'c')).toBe('matthan/v1/s/c/events');
  });

  it.each([
    ['lower-case text', { plate: { ...PLATE, text: '30e-586.70' } }, '/plate/text'],
    ['text with a slash', { plate: { ...PLATE, text: '30E/586.70' } }, '/plate/text'],
    ['an empty text', { plate: { ...PLATE, text: '' } }, '/plate/text'],
    ['a long text', { plate: { ...PLATE, text: '30E-586.70-586.70-1' } }, '/plate/text'],
    ['an unknown colour', { plate: { ...PLATE, colour: 'green' } }, '/plate/colour'],
    ['an unknown kind', { plate: { ...PLATE, kind: 'tractor' } }, '/plate/kind'],
    ['confidence above 1', { plate: { ...PLATE, confidence: 1.2 } }, '/plate/confidence'],
    ['negative reads', { plate: { ...PLATE, reads: -1 } }, '/plate/reads'],
    [
      'no colour',
      { plate: { text: '30E-586.70', confidence: 0.9, reads: 2 } },
      "must have required property 'colour'",
    ],
    ['an extra field', { plate: { ...PLATE, owner: 'x' } }, "additional properties 'owner'"],
    ['a bad crop id', { evidence: { plate: 'a/b' } }, '/evidence/plate'],
  ])('rejects %s, naming the field', (_n, patch, expected) => {
    const v = validateEvent({ ...sampleEvent(), ...patch });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors.join('\n')).toContain(expected);
  });
});
