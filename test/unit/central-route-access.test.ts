// Table tests of who may call which route, the session cookie helpers and the token lookup.
import { describe, expect, it } from 'vitest';
import { bearerToken } from '../../central/auth/auth-plugin.ts';
import { clearedSessionCookie, readCookie, sessionCookie } from '../../central/auth/cookie.ts';
import { authorize, routeAccess } from '../../central/auth/route-access.ts';
import { TokenRegistry } from '../../central/auth/token-registry.ts';

describe('routeAccess + authorize', () => {
  const viewers = { roles: ['viewer', 'reviewer', 'admin'] as const };
  it.each([
    ['GET', '/api/incidents', viewers, undefined, 401],
    ['GET', '/api/incidents', viewers, 'viewer', 'ok'],
    ['GET', '/api/incidents', viewers, 'edge', 403],
    ['POST', '/api/incidents/:id/review', { roles: ['reviewer', 'admin'] as const }, 'viewer', 403],
    ['POST', '/api/incidents/:id/review', { roles: ['reviewer', 'admin'] as const }, 'reviewer', 'ok'],
    ['PUT', '/api/evidence/:id', { roles: ['edge'] as const }, 'admin', 403],
    ['POST', '/api/session', undefined, undefined, 'ok'],
    ['GET', '/api/openapi.json', undefined, undefined, 401],
    ['GET', '/api/openapi.json', undefined, 'viewer', 403],
    ['GET', '/api/openapi.json', undefined, 'monitor', 'ok'],
    ['GET', '/metrics', undefined, undefined, 401],
    ['GET', '/metrics', undefined, 'admin', 'ok'],
    ['GET', '/metrics', undefined, 'edge', 403],
    ['GET', '/api/incidents', viewers, 'monitor', 403],
    ['GET', '/api/forgotten', undefined, undefined, 401],
    ['GET', '/api/forgotten', undefined, 'reviewer', 403],
    ['GET', '/api/forgotten', undefined, 'admin', 'ok'],
    ['GET', '/api', undefined, 'viewer', 403],
    ['POST', '/api/forgotten', {}, 'admin', 'ok'],
    ['GET', '/healthz', undefined, undefined, 'ok'],
    ['GET', '/*', undefined, undefined, 'ok'],
    ['HEAD', '/*', undefined, undefined, 'ok'],
    ['POST', '/upload', undefined, undefined, 401],
    ['DELETE', '/api/session', { public: true }, undefined, 'ok'],
    ['GET', '/api/incidents', { roles: [] }, 'viewer', 403],
    ['GET', '/api/apiary', undefined, 'viewer', 403],
    ['GET', '/apiary', undefined, undefined, 'ok'],
  ] as const)('%s %s %j as %s -> %s', (method, url, config, role, expected) => {
    expect(authorize(routeAccess(method, url, config), role)).toBe(expected);
  });

  // From a network in http.opsAllowCidrs the ops routes need no token; nothing else changes.
  it.each([
    ['GET', '/metrics', undefined, 'ok'],
    ['HEAD', '/api/openapi.json', undefined, 'ok'],
    ['GET', '/metrics', 'viewer', 'ok'],
    ['GET', '/api/incidents', undefined, 401],
    ['POST', '/metrics', undefined, 401],
  ] as const)('%s %s as %s from an allowed network -> %s', (method, url, role, expected) => {
    const config = url === '/api/incidents' ? { roles: ['viewer'] as const } : undefined;
    expect(authorize(routeAccess(method, url, config), role, true)).toBe(expected);
  });
});

describe('bearerToken', () => {
  it.each([
    [undefined, undefined],
    ['Bearer abc123', 'abc123'],
    ['bearer   abc123 ', 'abc123'],
    // A malformed header is a bad token (counted by the limiter), never silently no token.
    ['Basic dXNlcjpwYXNz', ''],
    ['Bearer', ''],
    ['', ''],
  ])('%j -> %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('cookies', () => {
  it.each([
    [undefined, 'matthan_session', undefined],
    ['', 'matthan_session', undefined],
    ['matthan_session=abc', 'matthan_session', 'abc'],
    ['a=1;matthan_session="q%20r"', 'matthan_session', 'q r'],
    ['matthan_session=%E0%A4%A', 'matthan_session', undefined],
    ['xmatthan_session=abc', 'matthan_session', undefined],
    ['novalue; matthan_session=z', 'matthan_session', 'z'],
  ])('readCookie(%j)', (header, name, value) => {
    expect(readCookie(header, name)).toBe(value);
  });

  it('sets an HttpOnly, SameSite=Strict, root-path cookie that reads back, and clears it', () => {
    const c = sessionCookie('t/ok en', { maxAgeS: 60, secure: true });
    expect(c.split('; ')).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=60', 'Secure']),
    );
    expect(readCookie(c.split('; ')[0], 'matthan_session')).toBe('t/ok en');
    expect(clearedSessionCookie()).toContain('Max-Age=0');
    expect(clearedSessionCookie()).not.toContain('Secure');
  });
});

describe('TokenRegistry', () => {
  const reg = TokenRegistry.fromConfig({
    auth: {
      tokens: [{ name: 'lan', role: 'reviewer', token: 'reviewer-token-0000001' }],
      sessionMaxAgeS: 60,
      loginMaxFailures: 1,
      loginWindowS: 1,
    },
    edges: [
      { name: 'box-1', site: 'hue-c1', token: 'edge-token-000000000001', mqttPassword: 'x'.repeat(16) },
    ],
  });
  it.each([
    ['reviewer-token-0000001', { name: 'lan', role: 'reviewer' }],
    // An edge token carries the one site its box reports for.
    ['edge-token-000000000001', { name: 'box-1', role: 'edge', site: 'hue-c1' }],
    ['reviewer-token-0000002', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s', (token, principal) => {
    expect(reg.lookup(token)).toEqual(principal);
  });
});
