// The review page's static files: served at /, revalidated on every load, CSP set, nothing outside public/.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import uiPlugin from '../../central/ui/plugin.ts';

describe('review UI static files', () => {
  const app = Fastify();
  beforeAll(async () => {
    await app.register(uiPlugin);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['/', /^text\/html/],
    ['/index.html', /^text\/html/],
    ['/app.js', /^(application|text)\/javascript/],
    ['/styles.css', /^text\/css/],
    ['/i18n.js', /^(application|text)\/javascript/],
  ])('serves %s with revalidation, nosniff and a CSP', async (url, type) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(type);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers.etag).toBeTruthy();
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await app.inject({ method: 'GET', url: '/app.js' });
    const again = await app.inject({
      method: 'GET',
      url: '/app.js',
      headers: { 'if-none-match': first.headers.etag! },
    });
    expect(again.statusCode).toBe(304);
  });

  it.each([
    '/../plugin.ts',
    '/..%2fplugin.ts',
    '/%2e%2e/%2e%2e/package.json',
    '/nope.js',
  ])('does not serve %s', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.body).not.toContain('FastifyPluginAsync');
    expect(res.body).not.toContain('"dependencies"');
  });
});
