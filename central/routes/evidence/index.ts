// /api/evidence/:id: PUT an evidence file from an edge (idempotent by id), GET it back with HTTP Range for video.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ID_PATTERN } from '../../../contract/index.ts';
import { parseByteRange } from '../../evidence/byte-range.ts';
import {
  EVIDENCE_CONTENT_TYPES,
  type EvidenceContentType,
  type EvidenceStore,
} from '../../store/evidence-store.ts';

export interface EvidenceRoutesOptions {
  evidence: EvidenceStore;
}

const Params = Type.Object({ id: Type.String({ pattern: ID_PATTERN, description: 'evidence id' }) });

const evidenceRoutes: FastifyPluginAsync<EvidenceRoutesOptions> = async (app, { evidence }) => {
  // The body is streamed to disk, never buffered: clips are megabytes and edges upload several at once.
  app.addContentTypeParser([...EVIDENCE_CONTENT_TYPES], (_req, payload, done) => done(null, payload));

  app.put<{ Params: { id: string } }>(
    '/:id',
    {
      config: { roles: ['edge'] },
      schema: {
        params: Params,
        tags: ['evidence'],
        summary: 'Upload an evidence file (JPEG snapshot or MP4 clip); repeating an upload is a no-op',
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
      const { created, meta } = await evidence.put(
        req.params.id,
        contentType as EvidenceContentType,
        req.body as Readable,
      );
      return reply
        .code(created ? 201 : 200)
        .send({ id: meta.id, bytes: meta.bytes, sha256: meta.sha256, created });
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
      // Events reference evidence before it is uploaded, so 404 is a normal "not yet" answer.
      if (!meta)
        return reply.code(404).send({ error: 'not_found', message: `no evidence ${req.params.id} (yet)` });
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
      reply
        .header('content-type', meta.contentType)
        .header('accept-ranges', 'bytes')
        .header('etag', `"${meta.sha256}"`)
        .header('cache-control', 'private, max-age=31536000, immutable');
      if (range.kind === 'partial') {
        reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', range.end - range.start + 1);
        return reply.send(createReadStream(meta.file, { start: range.start, end: range.end }));
      }
      reply.header('content-length', size);
      return reply.send(createReadStream(meta.file));
    },
  );
};

export default evidenceRoutes;
