// GET /api/cameras: the camera inventory joined with the latest status each camera (and edge box) reported.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { StatusMessage } from '../../../contract/index.ts';
import type { CameraInventory } from '../../config/camera-inventory.ts';
import type { CameraStatusStore } from '../../store/camera-status-store.ts';

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
  location?: { lat: number; lon: number };
};

export interface CameraRoutesOptions {
  inventory: CameraInventory;
  statuses: CameraStatusStore;
}

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

const cameraRoutes: FastifyPluginAsync<CameraRoutesOptions> = async (app, { inventory, statuses }) => {
  app.get(
    '/',
    {
      config: { roles: ['viewer', 'reviewer', 'admin'] },
      schema: {
        tags: ['cameras'],
        summary: 'Cameras with their latest health (online/offline, fps, drops, last event)',
        response: { 200: Type.Array(CameraSchema) },
      },
    },
    async () => joinCameras(inventory, statuses.list()),
  );
};

export default cameraRoutes;
