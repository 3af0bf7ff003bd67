// Secret strength (placeholders, guessable runs), the bad-token limiter and the network allow-list: tables.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../central/auth/login-limiter.ts';
import { NetworkAllowList, parseNetwork } from '../../central/auth/network-allow-list.ts';
import { effectiveLength, estimateSecretBits, weakSecretReason } from '../../central/auth/secret-strength.ts';

describe('secret strength', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['aaaaaaaa', 2],
    ['abcdefgh', 2],
    ['9876543210', 2],
    ['ab', 2],
    ['a1b2c3', 6],
    ['x0123y', 4],
  ])('effectiveLength(%j) = %d', (s, n) => {
    expect(effectiveLength(s)).toBe(n);
  });

  it.each([
    ['change-me-reviewer-token', 'placeholder'],
    ['${X:-CHANGEME}0123456789abcdef', 'placeholder'],
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'guessable'],
    ['0123456789abcdef0123456789abcdef', 'guessable'],
    ['edge-token-0123456789abcdefghij', 'guessable'],
    ['Password12345678', 'guessable'],
    ['', 'guessable'],
  ])('%j is refused (%s)', (secret, why) => {
    expect(weakSecretReason(secret)).toContain(why);
  });

  it.each([
    ['openssl rand -hex 32', randomBytes(32).toString('hex')],
    ['16 random bytes as hex', randomBytes(16).toString('hex')],
    ['16 random bytes as base64url', randomBytes(16).toString('base64url')],
    ['24 random bytes as base64', randomBytes(24).toString('base64')],
  ])('%s is accepted', (_what, secret) => {
    expect(weakSecretReason(secret)).toBeUndefined();
  });

  it('random 16-byte hex tokens always pass (no false refusal at start)', () => {
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 20_000; i++) min = Math.min(min, estimateSecretBits(randomBytes(16).toString('hex')));
    expect(min).toBeGreaterThanOrEqual(96);
  });
});

describe('LoginLimiter', () => {
  it('refuses a client after maxFailures within the window and lets it in as the oldest failure ages out', () => {
    let now = 1_000_000;
    const l = new LoginLimiter({ maxFailures: 3, windowMs: 10_000 }, () => now);
    expect(l.retryAfterMs('10.0.0.1')).toBe(0);
    for (const dt of [0, 1000, 1000]) {
      now += dt;
      l.fail('10.0.0.1');
    }
    expect(l.retryAfterMs('10.0.0.1')).toBe(8000); // the first failure (t=0) leaves the window at t=10000
    expect(l.retryAfterMs('10.0.0.2')).toBe(0); // others are not affected
    now += 8000;
    expect(l.retryAfterMs('10.0.0.1')).toBe(0);
    l.fail('10.0.0.1');
    expect(l.retryAfterMs('10.0.0.1')).toBe(1000);
  });

  it.each([
    [1, 1, true],
    [1, 0, false],
    [5, 4, false],
    [5, 50, true],
  ])('maxFailures %d after %d failures: refused %s', (max, failures, refused) => {
    const l = new LoginLimiter({ maxFailures: max, windowMs: 60_000 }, () => 0);
    for (let i = 0; i < failures; i++) l.fail('c');
    expect(l.retryAfterMs('c') > 0).toBe(refused);
  });

  it('forgets the least recently failed clients beyond maxClients', () => {
    const l = new LoginLimiter({ maxFailures: 1, windowMs: 60_000, maxClients: 2 }, () => 0);
    l.fail('a');
    l.fail('b');
    l.fail('c');
    expect(l.clients).toBe(2);
    expect(l.retryAfterMs('a')).toBe(0);
    expect(l.retryAfterMs('c')).toBeGreaterThan(0);
  });
});

describe('network allow-list', () => {
  it.each([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['127.0.0.1', { address: '127.0.0.1', prefix: 32, family: 'ipv4' }],
    ['::1/128', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['10.0.0.0/33', undefined],
    ['10.0.0.0/x', undefined],
    ['10.0.0/8', undefined],
    ['host.example', undefined],
    ['', undefined],
    ['1.2.3.4/8/9', undefined],
  ])('parseNetwork(%j)', (text, parsed) => {
    expect(parseNetwork(text)).toEqual(parsed);
  });

  const list = new NetworkAllowList(['127.0.0.1/32', '10.20.0.0/16', '::1/128']);
  it.each([
    ['127.0.0.1', true],
    ['::ffff:127.0.0.1', true],
    ['10.20.3.4', true],
    ['10.21.0.1', false],
    ['::1', true],
    ['::2', false],
    ['not-an-ip', false],
    [undefined, false],
  ])('has(%s) = %s', (ip, expected) => {
    expect(list.has(ip)).toBe(expected);
  });

  it('an empty list allows nobody', () => {
    expect(new NetworkAllowList([]).has('127.0.0.1')).toBe(false);
  });
});
