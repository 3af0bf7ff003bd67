// Serves the review web page (plain ES modules + CSS from ./public, no build step) at `/`.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

const here = path.dirname(fileURLToPath(import.meta.url));

/** ./public beside this file when run through tsx; the source tree's copy when run from dist/ (tsc copies no assets). */
export function uiPublicDir(): string {
  const candidates = [
    path.join(here, 'public'),
    path.resolve(here, '..', '..', '..', 'central', 'ui', 'public'),
  ];
  const found = candidates.find((d) => existsSync(path.join(d, 'index.html')));
  if (!found) throw new Error(`review UI assets not found; looked in ${candidates.join(', ')}`);
  return found;
}

/** Chart.js's self-contained UMD build from node_modules: IOC networks are closed, so no CDN. */
export function chartJsFile(): string {
  const main = createRequire(import.meta.url).resolve('chart.js'); // .../chart.js/dist/chart.cjs
  return path.join(path.dirname(main), 'chart.umd.min.js');
}

export interface UiPluginOptions {
  /** XYZ tile URL of the IOC's map server: its origin is allowed for images. */
  tileUrl?: string;
}

/**
 * Every file is revalidated (`no-cache` + ETag/Last-Modified): without content hashes in the names, a cached
 * module could mix with a newer one after an upgrade; a 304 costs one small round trip on a LAN.
 */
const uiPlugin: FastifyPluginAsync<UiPluginOptions> = async (app, opts) => {
  const tileOrigin = opts.tileUrl?.startsWith('http')
    ? new URL(opts.tileUrl.replace(/[{}]/g, '')).origin
    : '';
  // media-src blob: evidence clips are downloaded once and played from memory (public/clip-cache.js).
  const csp =
    `default-src 'self'; img-src 'self' data:${tileOrigin ? ` ${tileOrigin}` : ''}; media-src 'self' blob:; ` +
    "frame-ancestors 'none'; base-uri 'none'";
  const chart = readFileSync(chartJsFile());
  app.get(
    '/vendor/chart.umd.min.js',
    { config: { public: true }, schema: { hide: true } },
    async (_req, reply) =>
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(chart),
  );
  await app.register(fastifyStatic, {
    root: uiPublicDir(),
    prefix: '/',
    index: ['index.html'],
    wildcard: true,
    cacheControl: false,
    etag: true,
    lastModified: true,
    schemaHide: true,
    setHeaders(reply) {
      reply.header('cache-control', 'no-cache');
      reply.header('x-content-type-options', 'nosniff');
      // Only our own modules, styles, evidence and API; no inline script, nothing framed by another site.
      reply.header('content-security-policy', csp);
    },
  });
};

export default uiPlugin;
