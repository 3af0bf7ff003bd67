// Central, as a table of contents: database, stores, embedded broker (optional), subscriber, HTTP API.

import type { FastifyInstance } from 'fastify';
import { logger } from '../lib/log.ts';
import { buildApp } from './app.ts';
import { TokenRegistry } from './auth/token-registry.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker/embedded-broker.ts';
import { CameraInventory } from './config/camera-inventory.ts';
import type { CentralConfig } from './config/schema.ts';
import { EvidenceRetention } from './evidence/evidence-retention.ts';
import { startForwarding } from './forward/start-forwarding.ts';
import { IngestService } from './ingest/ingest-service.ts';
import { Subscriber } from './ingest/subscriber.ts';
import { CentralMetrics } from './metrics/central-metrics.ts';
import metricsPlugin from './metrics/metrics-plugin.ts';
import { ReviewService } from './reviews/review-service.ts';
import { CameraStatusStore } from './store/camera-status-store.ts';
import { openDatabase } from './store/database.ts';
import { EvidenceStore } from './store/evidence-store.ts';
import { IncidentStore } from './store/incident-store.ts';
import { QuarantineStore } from './store/quarantine-store.ts';
import { ReviewStore } from './store/review-store.ts';
import { StatsStore } from './store/stats-store.ts';

export interface CentralHandle {
  app: FastifyInstance;
  /** http://host:port of the API. */
  url: string;
  brokerUrl: string;
  /** Resolves once the broker granted the subscriptions (publish after this, or messages may be missed). */
  subscribed: Promise<void>;
  ingest: IngestService;
  incidents: IncidentStore;
  /** Review verdicts; `reviews.onVerdict(listener)` fires after each stored verdict. */
  reviews: ReviewService;
  evidence: EvidenceStore;
  stop(): Promise<void>;
}

export async function startCentral(config: CentralConfig): Promise<CentralHandle> {
  const log = logger('central');
  const db = openDatabase(config.database.path);
  const inventory = new CameraInventory(config.cameras);
  const incidents = new IncidentStore(db, {
    mergeWindowMs: config.dedup.mergeWindowS * 1000,
    mergeDistance: config.dedup.mergeDistance,
    overlapToleranceMs: config.dedup.overlapToleranceMs,
    groupOf: inventory.groupOf,
  });
  const statuses = new CameraStatusStore(db);
  const quarantine = new QuarantineStore(db, config.ingest.quarantineMaxRows);
  const ingest = new IngestService(incidents, quarantine, statuses, log);
  const reviewStore = new ReviewStore(db);
  const reviews = new ReviewService(reviewStore, log);
  const evidence = new EvidenceStore(db, config.evidence.dir);
  const retention = new EvidenceRetention(evidence, config.evidence, log);
  retention.start(10 * 60_000);

  let broker: EmbeddedBroker | undefined;
  let brokerUrl = config.broker.url;
  if (config.broker.embedded) {
    const u = new URL(config.broker.url);
    broker = await startEmbeddedBroker(u.port === '' ? 1883 : Number(u.port), u.hostname);
    brokerUrl = broker.url;
    log.info({ broker: brokerUrl }, 'embedded broker started');
  }
  // IOC forwarding: outbox messages for incident changes and verdicts; links use the address known after listen
  let address = '';
  const forwarding = startForwarding({
    db,
    incidents,
    onIncident: (listener) => ingest.onIncident(listener),
    onVerdict: (listener) => reviews.onVerdict(listener),
    cameras: config.cameras,
    config: config.forwarding,
    publicUrl: () => config.forwarding.publicUrl ?? address,
    log: log.child({ component: 'forward' }),
  });
  const subscriber = new Subscriber({ ...config.broker, url: brokerUrl }, ingest, log, config.ingest);

  const app = await buildApp({
    incidents,
    tokens: new TokenRegistry(config.auth.tokens),
    reviews,
    reviewStore,
    stats: new StatsStore(db),
    inventory,
    statuses,
    quarantine,
    evidence,
    forwarding: forwarding.service,
    log,
    // Review pages hear of new events and of other reviewers' verdicts.
    liveFeeds: [
      (listener) => ingest.onIncident(listener),
      (listener) => reviews.onVerdict((incident) => listener(incident.id, false)),
    ],
    ready: () => {
      const checks = { database: db.open, broker: subscriber.client.connected };
      return { ok: Object.values(checks).every(Boolean), checks };
    },
  });
  const metrics = new CentralMetrics({
    ingest: () => ingest.counters,
    brokerConnected: () => subscriber.client.connected,
    forwarding: () => forwarding.service.metricsSnapshot(),
  });
  await app.register(metricsPlugin, { registry: metrics.registry });
  address = await app.listen({ host: config.http.host, port: config.http.port });
  log.info({ address }, 'central listening');

  return {
    app,
    url: address,
    brokerUrl,
    subscribed: subscriber.ready,
    ingest,
    incidents,
    reviews,
    evidence,
    async stop() {
      retention.stop();
      await app.close();
      await subscriber.close();
      await forwarding.stop();
      if (broker) await broker.close();
      db.close();
    },
  };
}
