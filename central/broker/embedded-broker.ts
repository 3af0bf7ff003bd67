// The embedded MQTT broker (aedes over TCP) for single-box installs and the demo: authenticated, with topic ACLs.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Aedes, type Client } from 'aedes';
import type { Logger } from '../../lib/log.ts';
import { type BrokerAccount, clientIdBelongsTo } from './broker-accounts.ts';
import { filterCovers, topicMatches, withoutSharePrefix } from './topic-filter.ts';

export interface EmbeddedBroker {
  port: number;
  url: string;
  aedes: Aedes;
  /** Refusals so far, by kind (tests and metrics read them). */
  readonly refused: { connect: number; publish: number; subscribe: number };
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  port?: number;
  host?: string;
  /**
   * Who may connect, and their topic rights (central/broker/broker-accounts.ts). Every client must log in as one
   * of them with a client id bound to its user; there is no anonymous access.
   */
  accounts: readonly BrokerAccount[];
  log?: Logger;
}

// MQTT 3.1.1 §3.2.2.3 CONNACK return codes (aedes maps them to MQTT 5 reason codes for v5 clients).
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest();

/** Equal-length digests compared in constant time: a guess learns nothing from the timing. */
const samePassword = (given: Buffer | undefined, expected: Buffer) =>
  given !== undefined && timingSafeEqual(sha256(given), expected);

function connectError(message: string, returnCode: number): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode });
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { port = 0, host = '127.0.0.1', log } = opts;
  const accounts = new Map(
    opts.accounts.map((a) => [a.username, { account: a, digest: sha256(a.password) }] as const),
  );
  const accountOf = new WeakMap<Client, BrokerAccount>();
  const refused = { connect: 0, publish: 0, subscribe: 0 };
  const refuse = (kind: keyof typeof refused, detail: Record<string, unknown>, reason: string) => {
    refused[kind]++;
    log?.warn({ ...detail, refused: kind }, reason);
  };

  const aedes = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const entry = username === undefined ? undefined : accounts.get(username);
      if (!entry || !samePassword(password, entry.digest)) {
        refuse('connect', { clientId: client.id, username }, 'MQTT login refused');
        return done(connectError('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
      }
      // A client id names a persistent session: taking another user's id would take over its queued messages.
      if (!clientIdBelongsTo(client.id, entry.account.username)) {
        refuse('connect', { clientId: client.id, username }, 'MQTT client id of another user refused');
        return done(connectError('client id belongs to another user', IDENTIFIER_REJECTED), false);
      }
      accountOf.set(client, entry.account);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      // A will queued for a client that is gone has no client here; such wills only come from other cluster
      // nodes, which this single broker has none of.
      const account = client ? accountOf.get(client) : undefined;
      if (!account?.publish.some((f) => topicMatches(f, packet.topic))) {
        refuse('publish', { clientId: client?.id, topic: packet.topic }, 'MQTT publish refused');
        return done(connectError(`not authorised to publish on ${packet.topic}`, NOT_AUTHORIZED));
      }
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const account = accountOf.get(client);
      const filter = withoutSharePrefix(sub.topic);
      if (!account || filter === '' || !account.subscribe.some((f) => filterCovers(f, filter))) {
        refuse('subscribe', { clientId: client.id, topic: sub.topic }, 'MQTT subscribe refused');
        return done(null, null); // SUBACK 0x80 for this filter (MQTT 3.1.1 §3.9.3)
      }
      done(null, sub);
    },
  });
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as { port: number }).port;
  return {
    port: actual,
    url: `mqtt://${host}:${actual}`,
    aedes,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => aedes.close(() => resolve()));
        // Existing client sockets keep the server open; aedes.close ends them.
        aedes.close();
      }),
  };
}
