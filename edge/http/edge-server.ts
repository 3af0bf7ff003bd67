// The edge box's small HTTP surface for operators: /metrics (Prometheus), /healthz (alive), /readyz (serving).
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface ReadyReport {
  ok: boolean;
  checks: Record<string, boolean | string | number>;
}

export interface EdgeServer {
  url: string;
  close(): Promise<void>;
}

export async function startEdgeServer(opts: {
  host: string;
  port: number;
  registry: Registry;
  ready: () => ReadyReport;
}): Promise<EdgeServer> {
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'method_not_allowed' });
    if (url === '/healthz') return json(200, { ok: true });
    if (url === '/readyz') {
      const r = opts.ready();
      return json(r.ok ? 200 : 503, r);
    }
    if (url === '/metrics') {
      opts.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(text);
        },
        (err: Error) => json(500, { error: 'metrics_failed', message: err.message }),
      );
      return;
    }
    return json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${opts.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
