// POST /api/incidents/:id/plate: a reviewer corrects the plate; the machine read and every correction are kept.
import type { FastifyPluginAsync } from 'fastify';
import type { PlateColour } from '../../../contract/index.ts';
import type { PlateService } from '../../plates/plate-service.ts';
import { ErrorSchema, IncidentIdParams } from '../incidents/schemas.ts';
import { IncidentPlateSchema, PlateCorrectionBody } from './schemas.ts';

export interface PlateRoutesOptions {
  plates: PlateService;
}

const plateRoutes: FastifyPluginAsync<PlateRoutesOptions> = async (app, { plates }) => {
  app.post<{
    Params: { id: string };
    Body: { text: string; colour?: PlateColour; note?: string; freeForm?: boolean };
  }>(
    '/:id/plate',
    {
      config: { roles: ['reviewer', 'admin'] },
      schema: {
        params: IncidentIdParams,
        body: PlateCorrectionBody,
        tags: ['incidents'],
        summary: "Correct the incident's plate; the corrector is the token holder",
        response: { 200: IncidentPlateSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const r = plates.correct(req.params.id, req.body, req.principal!.name);
      if (!r.ok)
        return reply
          .code(r.status)
          .send({ error: r.status === 404 ? 'not_found' : 'bad_plate', message: r.message });
      return r.plate;
    },
  );
};

export default plateRoutes;
