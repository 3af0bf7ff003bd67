// An event id is bound to its site, camera, rule and rule type at first sight: table of agreeing and disagreeing
// later messages.
import { describe, expect, it } from 'vitest';
import { bindingMismatch } from '../../central/store/incident-store.ts';

const known = { site: 'site-a', camera: 'cam-1', rule: 'red-1', rule_type: 'red_light' };
const event = {
  id: 'evt_0123456789',
  site: 'site-a',
  camera: 'cam-1',
  rule: 'red-1',
  ruleType: 'red_light' as const,
};

describe('bindingMismatch', () => {
  it('agrees with itself', () => {
    expect(bindingMismatch(known, event)).toBeUndefined();
  });
  it.each([
    [{ site: 'site-z' }, 'this message says site-z/cam-1 rule red-1 (red_light)'],
    [{ camera: 'cam-9' }, 'site-a/cam-9'],
    [{ rule: 'red-2' }, 'rule red-2'],
    [{ ruleType: 'speeding' as const }, '(speeding)'],
    [{ site: 'site-a-', camera: 'cam-1' }, 'site-a-/cam-1'],
  ])('%j is refused, naming both', (change, says) => {
    const reason = bindingMismatch(known, { ...event, ...change });
    expect(reason).toContain('is bound to site-a/cam-1 rule red-1 (red_light) since its first message');
    expect(reason).toContain(says);
  });
  it('cannot be fooled by splitting a camera id across the separator', () => {
    // site "site-a/cam" + camera "1" reads like site-a/cam-1 in a naive concatenation; slugs have no '/', but
    // the check must not depend on that.
    expect(bindingMismatch(known, { ...event, site: 'site-a/cam', camera: '1' })).toBeDefined();
  });
});
