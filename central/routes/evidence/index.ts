// /api/evidence/:id: PUT an evidence file from its site's edge (bound, digest-checked), GET it with HTTP Range.
import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ID_PATTERN } from '../../../contract/index.ts';
import type { AuditLog } from '../../audit/audit-log.ts';
import { parseByteRange } from '../../evidence/byte-range.ts';
import { EvidenceBlobMissingError } from '../../evidence/evidence-blob-store.ts';
import {
  EVIDENCE_CONTENT_TYPES,
  type EvidenceContentType,
  type EvidenceStore,
} from '../../store/evidence-store.ts';

export interface EvidenceRoutesOptions {
  evidence: EvidenceStore;
  /** Downloads are audited (who fetched which file, with its digest). */
  audit?: AuditLog;
  /** A file was stored (the review page hears of it; clips get their start time read). */
  onStored?: (id: string, contentType: string) => void;
  /**
   * The edge says a file will never come, and why (POST /:id/failure); `site` is the reporting box's. Answers
   * 'unknown' for an id no stored event names and 'other_site' for one another site's event names.
   */
  onFailure?: (id: string, reason: string, site: string | undefined) => 'ok' | 'unknown' | 'other_site';
}

const Params = Type.Object({ id: Type.String({ pattern: ID_PATTERN, description: 'evidence id' }) });

/**
 * The client went away mid-upload (socket reset, premature close): nothing to answer, and not an error of ours.
 * Only while the body is incomplete: a request whose body was read to the end is `destroyed` too (autoDestroy),
 * and its errors (422 digest, 403 site) are answers the client must get.
 */
function isClientAbort(
  err: unknown,
  raw: { complete: boolean; socket?: { destroyed: boolean } | null },
): boolean {
  if (raw.complete) return false;
  const code = (err as { code?: unknown }).code;
  return (
    raw.socket?.destroyed === true ||
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (err as Error).message === 'aborted'
  );
}

const evidenceRoutes: FastifyPluginAsync<EvidenceRoutesOptions> = async (
  app,
  { evidence, audit, onStored, onFailure },
) => {
  // The body is streamed to the blob store (disk or S3), never buffered: clips are megabytes and edges upload several at once.
  app.addContentTypeParser([...EVIDENCE_CONTENT_TYPES], (_req, payload, done) => done(null, payload));

  app.put<{ Params: { id: string } }>(
    '/:id',
    {
      config: { roles: ['edge'] },
      schema: {
        params: Params,
        tags: ['evidence'],
        summary:
          'Upload an evidence file (JPEG snapshot or MP4 clip) that a stored event of your site names, with the ' +
          'digest it declared; repeating an upload is a no-op (403 another site, 409 not named yet, 422 digest)',
      },
      // Before a byte of the body is read: a declared size above the limit is refused from the header alone, and
      // the connection is closed rather than drained (a client announcing 2 GB must not make us read 2 GB).
      onRequest: async (req, reply) => {
        const declared = Number(req.headers['content-length']);
        if (!(declared > evidence.maxBytes)) return;
        reply.header('connection', 'close');
        return reply.code(413).send({
          error: 'payload_too_large',
          message: `content-length ${declared} is above the evidence limit of ${evidence.maxBytes} bytes`,
        });
      },
    },
    async (req, reply) => {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      // fastify parses text/plain and JSON itself; only the evidence types reach the store as a stream.
      if (!(EVIDENCE_CONTENT_TYPES as readonly string[]).includes(contentType))
        return reply.code(415).send({
          error: 'unsupported_media_type',
          message: `content-type ${JSON.stringify(contentType)} is not one of ${EVIDENCE_CONTENT_TYPES.join(', ')}`,
        });
      let stored: Awaited<ReturnType<EvidenceStore['put']>>;
      try {
        stored = await evidence.put(req.params.id, contentType as EvidenceContentType, req.body as Readable, {
          site: req.principal?.site,
        });
      } catch (err) {
        if (!isClientAbort(err, req.raw)) throw err;
        // One line, no stack: the edge retries the upload (idempotent by id), the partial file is already gone.
        req.log.info(
          { evidence: req.params.id, err: (err as Error).message },
          'evidence upload aborted by the client; nothing stored',
        );
        reply.hijack();
        reply.raw.destroy();
        return;
      }
      const { created, meta } = stored;
      if (created) onStored?.(meta.id, meta.contentType);
      return reply
        .code(created ? 201 : 200)
        .send({ id: meta.id, bytes: meta.bytes, sha256: meta.sha256, created });
    },
  );

  if (onFailure)
    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/:id/failure',
      {
        config: { roles: ['edge'] },
        schema: {
          params: Params,
          body: Type.Object(
            { reason: Type.String({ minLength: 1, maxLength: 500 }) },
            { additionalProperties: false },
          ),
          tags: ['evidence'],
          summary:
            'The edge reports that an evidence file will never be uploaded, and why (shown to reviewers)',
        },
      },
      async (req, reply) => {
        if (evidence.get(req.params.id)) return reply.code(204).send(); // it did arrive: nothing to explain
        const out = onFailure(req.params.id, req.body.reason, req.principal?.site);
        if (out === 'other_site')
          return reply
            .code(403)
            .send({ error: 'forbidden', message: `evidence ${req.params.id} is another site's` });
        if (out === 'unknown')
          return reply
            .code(409)
            .send({ error: 'not_named', message: `no stored event names evidence ${req.params.id}` });
        return reply.code(204).send();
      },
    );

  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      config: { roles: ['viewer', 'reviewer', 'admin'] },
      schema: { params: Params, tags: ['evidence'], summary: 'Download an evidence file (Range supported)' },
    },
    async (req, reply) => {
      const meta = evidence.get(req.params.id);
      // Events reference evidence before it is uploaded, so 404 is a normal "not yet" answer (also for the instant
      // between an upload's row and its blob).
      const notFound = () =>
        reply.code(404).send({ error: 'not_found', message: `no evidence ${req.params.id} (yet)` });
      if (!meta) return notFound();
      const size = meta.bytes;
      const range = parseByteRange(req.headers.range, size);
      if (range.kind === 'unsatisfiable') {
        return reply
          .code(416)
          .header('content-range', `bytes */${size}`)
          .send({
            error: 'range_not_satisfiable',
            message: `range ${req.headers.range} is outside 0-${size - 1}`,
          });
      }
      // The blob is opened before any header is set, so a missing one is still a clean 404.
      let body: Readable;
      try {
        body = await evidence.open(meta.id, range.kind === 'partial' ? range : undefined);
      } catch (err) {
        if (err instanceof EvidenceBlobMissingError) return notFound();
        throw err;
      }
      // One audit row per viewing, not per Range request: a video element fetches a clip in many ranges, the
      // first from byte 0.
      if (range.kind === 'full' || range.start === 0)
        audit?.append({
          actor: req.principal!.name,
          role: req.principal!.role,
          action: 'evidence.download',
          target: meta.id,
          details: {
            sha256: meta.sha256,
            bytes: meta.bytes,
            ...(req.headers.range ? { range: req.headers.range } : {}),
          },
          ip: req.ip,
        });
      reply
        .header('content-type', meta.contentType)
        .header('accept-ranges', 'bytes')
        .header('etag', `"${meta.sha256}"`)
        // RFC 9530: the digest of the whole file, whatever range is served.
        .header('repr-digest', `sha-256=:${Buffer.from(meta.sha256, 'hex').toString('base64')}:`)
        .header('cache-control', 'private, max-age=31536000, immutable');
      if (range.kind === 'partial') {
        reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', range.end - range.start + 1);
        return reply.send(body);
      }
      reply.header('content-length', size);
      return reply.send(body);
    },
  );
};

export default evidenceRoutes;
