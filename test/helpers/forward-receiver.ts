// A real local IOC receiver (node:http) for the forwarder tests: verifies the HMAC signature, dedups by
// Idempotency-Key like an integrator should, and can be taken down and brought back on the same port.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receipt {
  path: string;
  key: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export class IocReceiver {
  private server: Server | undefined;
  port = 0;
  /** First receipt of each idempotency key, in arrival order. */
  readonly accepted: Receipt[] = [];
  /** Requests whose key was already accepted (an exactly-once receiver ignores them). */
  readonly duplicates: Receipt[] = [];
  badSignatures = 0;
  requests = 0;
  /** Paths that answer this status instead of accepting (a broken receiver). */
  readonly failing = new Map<string, number>();
  private readonly seen = new Set<string>();

  /** `secrets`: path -> HMAC key; requests to those paths must carry a valid X-Matthan-Signature. */
  constructor(private readonly secrets: Record<string, string> = {}) {}

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        const body = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        const fail = this.failing.get(path);
        if (fail) {
          res.writeHead(fail, { 'content-type': 'text/plain' }).end('receiver unavailable');
          return;
        }
        const secret = this.secrets[path];
        if (secret && !verify(secret, req.headers, body)) {
          this.badSignatures++;
          res.writeHead(401).end('bad signature');
          return;
        }
        const key = req.headers['idempotency-key'];
        if (typeof key !== 'string' || key === '') {
          res.writeHead(400).end('missing Idempotency-Key');
          return;
        }
        const receipt = { path, key, headers: req.headers, body };
        if (this.seen.has(`${path} ${key}`)) this.duplicates.push(receipt);
        else {
          this.seen.add(`${path} ${key}`);
          this.accepted.push(receipt);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Down: refuses connections (ECONNREFUSED) until start() again. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  on(path: string): Receipt[] {
    return this.accepted.filter((r) => r.path === path);
  }
}

/** What docs/IOC-INTEGRATION.md tells integrators to do. */
function verify(secret: string, headers: IncomingMessage['headers'], body: string): boolean {
  const ts = headers['x-matthan-timestamp'];
  const sig = headers['x-matthan-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string') return false;
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`,
  );
  const got = Buffer.from(sig);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
