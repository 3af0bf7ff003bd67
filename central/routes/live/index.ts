// GET /api/live: Server-Sent Events telling review pages that an incident was created or changed.
import type { FastifyPluginAsync } from 'fastify';
import { sseComment, sseMessage } from './sse-message.ts';

/** Subscribes a listener to incident changes and returns the unsubscribe function. */
export type IncidentFeed = (listener: (incidentId: string, created: boolean) => void) => () => void;

export interface LiveRoutesOptions {
  /** Sources of incident changes, e.g. `IngestService.onIncident` (new events) and review verdicts. */
  feeds: IncidentFeed[];
  /** Comment line sent this often (ms, default 15000) so idle proxies keep the stream; lower costs bytes. */
  heartbeatMs?: number;
  /** Client reconnect delay (ms, default 3000) sent as the SSE `retry` field. */
  retryMs?: number;
}

const liveRoutes: FastifyPluginAsync<LiveRoutesOptions> = async (app, opts) => {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const retryMs = opts.retryMs ?? 3_000;
  const open = new Set<() => void>();

  // Streams never end on their own; without this, app.close() would wait for every open review page.
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });

  app.get(
    '/',
    {
      config: { roles: ['viewer', 'reviewer', 'admin'] },
      schema: {
        tags: ['live'],
        summary:
          'Server-Sent Events: `event: incident` with {id, created} when an incident is created or changes',
      },
    },
    (req, reply) => {
      reply.hijack(); // the stream is written by hand; fastify must not send a reply of its own
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no', // nginx would otherwise buffer the stream
      });
      res.write(`retry: ${retryMs}\n\n`);
      res.write(sseComment('connected'));

      const unsubscribe = opts.feeds.map((feed) =>
        feed((id, created) => {
          res.write(sseMessage('incident', { id, created }));
        }),
      );
      const heartbeat = setInterval(() => res.write(sseComment('heartbeat')), heartbeatMs);
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        for (const off of unsubscribe) off();
        open.delete(close);
        res.end();
      };
      open.add(close);
      req.raw.on('close', close);
      res.on('error', (err) => {
        req.log.debug({ err: err.message }, 'live stream write failed');
        close();
      });
    },
  );
};

export default liveRoutes;
