// /api/cameras: the inventory joined with each camera's latest status, its scene (names, zones, lines, rules) as the
// edge reported it, its newest snapshot, and the map settings.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import {
  SLUG_PATTERN,
  type StatusMessage,
  type ViewStatus,
  ViewStatusSchema,
} from '../../../contract/index.ts';
import type { CameraInventory } from '../../config/camera-inventory.ts';
import type { ReviewWorkstation } from '../../reviews/review-workstation.ts';
import type { CameraScene, CameraSceneStore } from '../../store/camera-scene-store.ts';
import type { CameraStatusStore } from '../../store/camera-status-store.ts';
import type { CameraViewStore } from '../../store/camera-view-store.ts';
import { checkViewJpeg, VIEW_MAX_BYTES } from './view-jpeg.ts';

const CameraSchema = Type.Object({
  site: Type.String(),
  camera: Type.String(),
  name: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  state: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')], {
    description: 'unknown: in the inventory but no status received yet',
  }),
  reason: Type.Optional(Type.String()),
  ts: Type.Integer({ description: 'epoch ms of the status (0 when none yet)' }),
  fpsIn: Type.Optional(Type.Number()),
  fpsProcessed: Type.Optional(Type.Number()),
  framesDropped: Type.Optional(Type.Integer()),
  lastEventTs: Type.Optional(Type.Integer()),
  view: Type.Optional({
    ...ViewStatusSchema,
    description: "the edge's view guard: whether the view has moved from where the geometry was drawn",
  }),
  location: Type.Optional(Type.Object({ lat: Type.Number(), lon: Type.Number() })),
});
type Camera = {
  site: string;
  camera: string;
  name?: string;
  group?: string;
  state: 'online' | 'offline' | 'unknown';
  reason?: string;
  ts: number;
  fpsIn?: number;
  fpsProcessed?: number;
  framesDropped?: number;
  lastEventTs?: number;
  view?: ViewStatus;
  location?: { lat: number; lon: number };
};

export interface CameraRoutesOptions {
  inventory: CameraInventory;
  statuses: CameraStatusStore;
  scenes?: CameraSceneStore;
  /** Each camera's newest live view (a JPEG the edge sends every few minutes). */
  views?: CameraViewStore;
  workstation?: ReviewWorkstation;
  /** Offline map settings for the cameras page (central config `map`). */
  map?: { tileUrl?: string; outline?: [number, number][] };
}

const Point = Type.Tuple([Type.Number({ minimum: 0, maximum: 1 }), Type.Number({ minimum: 0, maximum: 1 })]);
const Name = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }));
const GeoId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
/** The scene an edge reports (edge/publish/camera-scene.ts); bounded like the edge config it comes from. */
export const SceneBody = Type.Object(
  {
    name: Name,
    location: Type.Optional(
      Type.Object(
        {
          lat: Type.Number({ minimum: -90, maximum: 90 }),
          lon: Type.Number({ minimum: -180, maximum: 180 }),
        },
        { additionalProperties: false },
      ),
    ),
    zones: Type.Array(
      Type.Object(
        { id: GeoId, name: Name, polygon: Type.Array(Point, { minItems: 3, maxItems: 64 }) },
        { additionalProperties: false },
      ),
      { maxItems: 64 },
    ),
    lines: Type.Array(
      Type.Object(
        { id: GeoId, name: Name, points: Type.Array(Point, { minItems: 2, maxItems: 64 }) },
        { additionalProperties: false },
      ),
      { maxItems: 64 },
    ),
    rules: Type.Array(
      Type.Object(
        { id: GeoId, type: Type.String({ maxLength: 64 }), name: Name },
        { additionalProperties: true },
      ),
      { maxItems: 64 },
    ),
  },
  { additionalProperties: false },
);
const SceneParams = Type.Object({
  site: Type.String({ pattern: SLUG_PATTERN }),
  camera: Type.String({ pattern: SLUG_PATTERN }),
});

/** Inventory cameras first (in config order), then cameras and boxes that reported but are not listed. */
export function joinCameras(inventory: CameraInventory, statuses: readonly StatusMessage[]): Camera[] {
  const byKey = new Map(statuses.map((s) => [`${s.site}/${s.camera}`, s]));
  const out: Camera[] = [];
  const fromStatus = (s: StatusMessage): Camera => {
    const { schemaVersion: _v, ...rest } = s;
    return rest;
  };
  for (const c of inventory.cameras) {
    const s = byKey.get(`${c.site}/${c.id}`);
    byKey.delete(`${c.site}/${c.id}`);
    out.push({
      ...(s ? fromStatus(s) : { site: c.site, camera: c.id, state: 'unknown' as const, ts: 0 }),
      ...(c.name !== undefined ? { name: c.name } : {}),
      ...(c.group !== undefined ? { group: c.group } : {}),
      ...(c.location !== undefined ? { location: c.location } : {}),
    });
  }
  for (const s of byKey.values()) out.push(fromStatus(s));
  return out;
}

const VIEWERS = ['viewer', 'reviewer', 'admin'] as const;

const cameraRoutes: FastifyPluginAsync<CameraRoutesOptions> = async (app, opts) => {
  const { inventory, statuses, scenes, workstation: ws } = opts;
  app.get(
    '/',
    {
      config: { roles: VIEWERS },
      schema: {
        tags: ['cameras'],
        summary: 'Cameras with their latest health (online/offline, fps, drops, last event, view moved)',
        response: { 200: Type.Array(CameraSchema) },
      },
    },
    async () => joinCameras(inventory, statuses.list()),
  );

  app.get(
    '/map',
    {
      config: { roles: VIEWERS },
      schema: {
        tags: ['cameras'],
        summary:
          'Map settings of the cameras page: a tile URL template (IOC tile server) and the site outline',
        response: {
          200: Type.Object({
            tileUrl: Type.Optional(Type.String()),
            outline: Type.Optional(Type.Array(Type.Tuple([Type.Number(), Type.Number()]))),
          }),
        },
      },
    },
    async () => opts.map ?? {},
  );

  if (!scenes) return;

  app.put<{ Params: { site: string; camera: string }; Body: CameraScene }>(
    '/:site/:camera/scene',
    {
      config: { roles: ['edge'] },
      schema: {
        params: SceneParams,
        body: SceneBody,
        tags: ['cameras'],
        summary: "An edge reports a camera's scene (names, zones, lines, rules); a repeat is a no-op",
        response: {
          200: Type.Object({ created: Type.Boolean() }),
          403: Type.Object({ error: Type.String(), message: Type.String() }),
        },
      },
      bodyLimit: 256 * 1024,
    },
    async (req, reply) => {
      // A box reports the scenes of its own site only (its token is scoped to one site).
      const site = req.principal?.site;
      if (site !== undefined && site !== req.params.site)
        return reply.code(403).send({
          error: 'forbidden',
          message: `edge of site ${site} may not report for site ${req.params.site}`,
        });
      return { created: scenes.put(req.params.site, req.params.camera, req.body) };
    },
  );

  const views = opts.views;
  if (views) {
    app.addContentTypeParser(
      'image/jpeg',
      { parseAs: 'buffer', bodyLimit: VIEW_MAX_BYTES },
      (_req, body, done) => done(null, body),
    );
    app.put<{ Params: { site: string; camera: string } }>(
      '/:site/:camera/view',
      {
        config: { roles: ['edge'] },
        schema: {
          params: SceneParams,
          headers: Type.Object({
            'x-matthan-frame-ts': Type.String({
              pattern: '^[0-9]{1,15}$',
              description: 'epoch ms of the frame the JPEG shows',
            }),
          }),
          tags: ['cameras'],
          summary:
            "An edge sends a camera's current view (image/jpeg, at most 2 MB); an older frame than the one held is ignored",
          response: {
            200: Type.Object({ stored: Type.Boolean() }),
            400: Type.Object({ error: Type.String(), message: Type.String() }),
            403: Type.Object({ error: Type.String(), message: Type.String() }),
            415: Type.Object({ error: Type.String(), message: Type.String() }),
          },
        },
      },
      async (req, reply) => {
        const site = req.principal?.site;
        if (site !== undefined && site !== req.params.site)
          return reply.code(403).send({
            error: 'forbidden',
            message: `edge of site ${site} may not send views for site ${req.params.site}`,
          });
        if (!Buffer.isBuffer(req.body))
          return reply
            .code(415)
            .send({ error: 'unsupported_media_type', message: 'content-type must be image/jpeg' });
        const problem = await checkViewJpeg(req.body);
        if (problem) return reply.code(400).send({ error: 'bad_view', message: problem });
        const frameTs = Number(req.headers['x-matthan-frame-ts']);
        const now = Date.now();
        // A frame from the future (a box with a wrong clock) would block every real one after it.
        if (frameTs > now + 5 * 60_000)
          return reply.code(400).send({
            error: 'bad_view',
            message: `x-matthan-frame-ts ${frameTs} is more than 5 minutes ahead of central's clock (${now})`,
          });
        return { stored: views.put(req.params.site, req.params.camera, req.body, frameTs, now) };
      },
    );
    app.get<{ Params: { site: string; camera: string } }>(
      '/:site/:camera/view.jpg',
      {
        config: { roles: VIEWERS },
        schema: {
          params: SceneParams,
          tags: ['cameras'],
          summary: "A camera's newest live view (image/jpeg)",
        },
      },
      async (req, reply) => {
        const v = views.jpeg(req.params.site, req.params.camera);
        if (!v) return reply.code(404).send({ error: 'not_found', message: 'no view from this camera yet' });
        const etag = `"${v.sha256}"`;
        reply.header('etag', etag).header('cache-control', 'private, no-cache');
        if (req.headers['if-none-match'] === etag) return reply.code(304).send();
        return reply.type('image/jpeg').send(v.jpeg);
      },
    );
  }

  app.get(
    '/scenes',
    {
      config: { roles: VIEWERS },
      schema: {
        tags: ['cameras'],
        summary:
          "Every camera's latest scene, with its live view when the edge sent one (frame time and digest), else its newest incident snapshot",
      },
    },
    async () =>
      scenes.list().map((s) => {
        const view = views?.get(s.site, s.camera);
        if (view) return { ...s, view: { ts: view.frameTs, sha256: view.sha256 } };
        const snap = ws ? newestSnapshot(ws, s.site, s.camera) : undefined;
        return { ...s, ...(snap ? { snapshot: snap } : {}) };
      }),
  );
};

/** The newest clean snapshot central holds for a camera (the camera's current view, as of its last incident). */
function newestSnapshot(ws: ReviewWorkstation, site: string, camera: string) {
  const { items } = ws.query.list({ camera, limit: 20, offset: 0 });
  for (const inc of items) {
    if (inc.site !== site) continue;
    const st = ws.evidenceOf(inc);
    const s = st.snapshotClean?.state === 'available' ? st.snapshotClean : undefined;
    if (s) return { evidenceId: s.id, ts: inc.firstTs, incidentId: inc.id };
  }
  return undefined;
}

export default cameraRoutes;
