// Evidence package exports: a zip per incident or for a filtered selection, and the printable Vietnamese PDF record.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { CameraInventory } from '../../config/camera-inventory.ts';
import { EvidenceBlobMissingError } from '../../evidence/evidence-blob-store.ts';
import { evidencePackage, type PackageEntry } from '../../export/evidence-package.ts';
import { fineRecordPdf } from '../../export/fine-record-pdf.ts';
import type { ReviewWorkstation, WorkstationDetail } from '../../reviews/review-workstation.ts';
import { type IncidentFilterParams, IncidentFilterQuery } from '../incidents/index.ts';
import { ErrorSchema, IncidentIdParams } from '../incidents/schemas.ts';

export interface ExportRoutesOptions {
  workstation: ReviewWorkstation;
  inventory: CameraInventory;
  /** IANA zone the printed times are in (the IOC's). */
  timezone: string;
}

/** Incidents in one set export: bounds the work and the zip (clips are megabytes each). */
export const MAX_EXPORT_INCIDENTS = 200;

const VIEWERS = ['viewer', 'reviewer', 'admin'] as const;

const exportRoutes: FastifyPluginAsync<ExportRoutesOptions> = async (app, opts) => {
  const ws = opts.workstation;
  const evidence = ws.d.evidence;

  const cameraOf = (d: WorkstationDetail) => {
    const inv = opts.inventory.get(d.site, d.camera);
    return {
      ...((inv?.name ?? d.scene?.name) ? { name: inv?.name ?? d.scene?.name } : {}),
      ...((inv?.location ?? d.scene?.location) ? { location: inv?.location ?? d.scene?.location } : {}),
    };
  };

  const pdfOf = async (d: WorkstationDetail, who: string, at: number) => {
    const snapId =
      d.evidenceStatus.snapshot?.state === 'available' ? d.evidenceStatus.snapshot.id : undefined;
    // Deleted since the detail was read: the record goes out without the picture rather than failing.
    const snapshotJpeg =
      snapId && evidence?.get(snapId)
        ? await evidence.readAll(snapId).catch((err: Error) => {
            if (err instanceof EvidenceBlobMissingError) return undefined;
            throw err;
          })
        : undefined;
    return fineRecordPdf({
      detail: d,
      camera: cameraOf(d),
      ...(snapshotJpeg ? { snapshotJpeg } : {}),
      exportedBy: who,
      exportedAt: at,
      timezone: opts.timezone,
    });
  };

  const entryOf = async (d: WorkstationDetail, who: string, at: number): Promise<PackageEntry> => ({
    detail: d,
    record: { exportedAt: at, exportedBy: who, timezone: opts.timezone, camera: cameraOf(d), incident: d },
    pdf: await pdfOf(d, who, at),
  });

  app.get<{ Params: { id: string } }>(
    '/incidents/:id/record.pdf',
    {
      config: { roles: VIEWERS },
      schema: {
        params: IncidentIdParams,
        tags: ['export'],
        summary: 'The printable record of an incident (A4, Vietnamese, evidence SHA-256)',
        response: { 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const d = ws.detail(req.params.id);
      if (!d) return reply.code(404).send({ error: 'not_found', message: `no incident ${req.params.id}` });
      const pdf = await pdfOf(d, req.principal!.name, ws.now());
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="${d.id}.pdf"`)
        .send(pdf);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/incidents/:id/export.zip',
    {
      config: { roles: VIEWERS },
      schema: {
        params: IncidentIdParams,
        tags: ['export'],
        summary:
          'Evidence package of one incident: snapshots, clip, plate crop, record.json, record.pdf, SHA256SUMS',
        response: { 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const d = ws.detail(req.params.id);
      if (!d) return reply.code(404).send({ error: 'not_found', message: `no incident ${req.params.id}` });
      const entry = await entryOf(d, req.principal!.name, ws.now());
      const stream = evidencePackage(
        (async function* () {
          yield entry;
        })(),
        evidence,
        { single: true },
      );
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${d.id}.zip"`)
        .send(stream);
    },
  );

  app.get<{ Querystring: IncidentFilterParams & { limit: number } }>(
    '/export.zip',
    {
      config: { roles: VIEWERS },
      schema: {
        tags: ['export'],
        summary: `Evidence packages of the incidents matching the queue's filters (newest first, at most ${MAX_EXPORT_INCIDENTS})`,
        querystring: Type.Object(
          {
            ...IncidentFilterQuery,
            limit: Type.Integer({ minimum: 1, maximum: MAX_EXPORT_INCIDENTS, default: MAX_EXPORT_INCIDENTS }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const q = req.query;
      const filter = {
        camera: q.camera,
        ruleType: q.rule,
        status: q.status,
        reviewer: q.reviewer,
        fromTs: q.from,
        toTs: q.to,
      };
      const { items, total } = ws.query.list({ ...filter, limit: q.limit, offset: 0 });
      const who = req.principal!.name;
      const at = ws.now();
      const stream = evidencePackage(
        (async function* () {
          for (const inc of items) {
            const d = ws.detail(inc.id);
            if (d) yield await entryOf(d, who, at);
          }
        })(),
        evidence,
        {
          single: false,
          index: () => ({
            exportedAt: at,
            exportedBy: who,
            filter: q,
            matched: total,
            included: items.length,
            incidents: items.map((i) => ({
              id: i.id,
              version: i.version,
              ruleType: i.ruleType,
              camera: `${i.site}/${i.camera}`,
              firstTs: i.firstTs,
              status: i.status,
              reviewedBy: i.reviewedBy,
            })),
          }),
        },
      );
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="matthan-export-${at}.zip"`)
        .send(stream);
    },
  );
};

export default exportRoutes;
