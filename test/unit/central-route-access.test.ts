// Table tests of who may call which route, the session cookie helpers and the token lookup.
import { describe, expect, it } from 'vitest';
import { requestToken } from '../../central/auth/auth-plugin.ts';
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
    ['GET', '/api/openapi.json', undefined, undefined, 'ok'],
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
});

describe('requestToken', () => {
  it.each([
    [{}, undefined],
    [{ authorization: 'Bearer abc123' }, 'abc123'],
    [{ authorization: 'bearer   abc123 ' }, 'abc123'],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, undefined],
    [{ authorization: 'Bearer' }, undefined],
    [{ cookie: 'matthan_token=tok%2Fen; other=1' }, 'tok/en'],
    [{ cookie: 'other=1' }, undefined],
    // A header wins over a cookie, even a bad header: no silent fallback to another identity.
    [{ authorization: 'Basic x', cookie: 'matthan_token=abc' }, undefined],
  ])('%j -> %s', (headers, token) => {
    expect(requestToken(headers)).toBe(token);
  });
});

describe('cookies', () => {
  it.each([
    [undefined, 'matthan_token', undefined],
    ['', 'matthan_token', undefined],
    ['matthan_token=abc', 'matthan_token', 'abc'],
    ['a=1;matthan_token="q%20r"', 'matthan_token', 'q r'],
    ['matthan_token=%E0%A4%A', 'matthan_token', undefined],
    ['xmatthan_token=abc', 'matthan_token', undefined],
    ['novalue; matthan_token=z', 'matthan_token', 'z'],
  ])('readCookie(%j)', (header, name, value) => {
    expect(readCookie(header, name)).toBe(value);
  });

  it('sets an HttpOnly, SameSite=Strict, root-path cookie that reads back, and clears it', () => {
    const c = sessionCookie('t/ok en', { maxAgeS: 60, secure: true });
    expect(c.split('; ')).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=60', 'Secure']),
    );
    expect(readCookie(c.split('; ')[0], 'matthan_token')).toBe('t/ok en');
    expect(clearedSessionCookie()).toContain('Max-Age=0');
    expect(clearedSessionCookie()).not.toContain('Secure');
  });
});

describe('TokenRegistry', () => {
  const reg = new TokenRegistry([
    { name: 'lan', role: 'reviewer', token: 'reviewer-token-0000001' },
    { name: 'box-1', role: 'edge', token: 'edge-token-000000000001' },
  ]);
  it.each([
    ['reviewer-token-0000001', { name: 'lan', role: 'reviewer' }],
    ['edge-token-000000000001', { name: 'box-1', role: 'edge' }],
    ['reviewer-token-0000002', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s', (token, principal) => {
    expect(reg.lookup(token)).toEqual(principal);
  });
});
