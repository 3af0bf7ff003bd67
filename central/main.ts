// Central, as a table of contents: database, stores, embedded broker (optional), subscriber, HTTP API.

import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config/errors.ts';
import { type Logger, logger } from '../lib/log.ts';
import { within } from '../lib/within.ts';
import { buildApp } from './app.ts';
import { AuditLog } from './audit/audit-log.ts';
import { LoginLimiter } from './auth/login-limiter.ts';
import { NetworkAllowList } from './auth/network-allow-list.ts';
import { SessionStore } from './auth/session-store.ts';
import { TokenRegistry } from './auth/token-registry.ts';
import { brokerAccounts } from './broker/broker-accounts.ts';
import { assessBroker, type BrokerObservation, observeBroker, probeLogin } from './broker/broker-check.ts';
import { centralClientId, tlsFileOptions } from './broker/client-options.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker/embedded-broker.ts';
import { CameraInventory } from './config/camera-inventory.ts';
import { type CentralConfig, checkCentralConfig } from './config/schema.ts';
import { EvidenceRetention } from './evidence/evidence-retention.ts';
import { openBlobStore } from './evidence/open-blob-store.ts';
import { startForwarding } from './forward/start-forwarding.ts';
import { InflightMarkers } from './ingest/inflight-markers.ts';
import { IngestService } from './ingest/ingest-service.ts';
import { Subscriber } from './ingest/subscriber.ts';
import { CentralMetrics } from './metrics/central-metrics.ts';
import metricsPlugin from './metrics/metrics-plugin.ts';
import { PlateService } from './plates/plate-service.ts';
import { PlateStore } from './plates/plate-store.ts';
import { probeClipStart } from './reviews/clip-start.ts';
import { ReviewLocks } from './reviews/review-locks.ts';
import { ReviewService } from './reviews/review-service.ts';
import { ReviewWorkstation } from './reviews/review-workstation.ts';
import { CameraSceneStore } from './store/camera-scene-store.ts';
import { CameraStatusStore } from './store/camera-status-store.ts';
import { CameraViewStore } from './store/camera-view-store.ts';
import { openDatabase } from './store/database.ts';
import { EvidenceNotesStore } from './store/evidence-notes-store.ts';
import { EvidenceRefs } from './store/evidence-refs.ts';
import { EvidenceStore } from './store/evidence-store.ts';
import { type Incident, IncidentStore } from './store/incident-store.ts';
import { QuarantineStore } from './store/quarantine-store.ts';
import { ReviewStore } from './store/review-store.ts';
import { StatsStore } from './store/stats-store.ts';

/** How long stop() lets requests in progress finish before it cuts their connections. */
const CLOSE_GRACE_MS = 5000;

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
  /** The hash-chained audit log. */
  audit: AuditLog;
  /** The embedded broker, when central runs one. */
  broker: EmbeddedBroker | undefined;
  /** Central's MQTT client id (its persistent session). */
  brokerClientId: string;
  /**
   * The start-up check of the broker's settings (queue limit, packet size), logged as warnings; resolves with
   * what was seen and the warnings, or undefined when the check was skipped or the broker refused it.
   */
  brokerCheck: Promise<{ observation: BrokerObservation; warnings: string[] } | undefined>;
  stop(): Promise<void>;
}

export interface StartCentralOptions {
  /** The demo makes its own random secrets; everywhere else placeholders and guessable secrets stop the start. */
  demo?: boolean;
  /** The logger (default: the process's structured log on stderr); tests pass one to read what central says. */
  log?: Logger;
}

export async function startCentral(
  config: CentralConfig,
  opts: StartCentralOptions = {},
): Promise<CentralHandle> {
  const log = opts.log ?? logger('central');
  // Refuse to run on a config that would be unsafe (example tokens, shared MQTT users, a signal topic under a
  // box's own topics), however the config was built.
  const issues = checkCentralConfig(config, { demo: opts.demo });
  if (issues.length > 0) throw new ConfigError('<central config>', issues);
  const db = openDatabase(config.database.path);
  const tokens = TokenRegistry.fromConfig(config);
  const audit = new AuditLog(db, log.child({ component: 'audit' }));
  const inventory = new CameraInventory(config.cameras);
  const evidenceRefs = new EvidenceRefs(db);
  const incidents = new IncidentStore(
    db,
    { mergeWindowMs: config.dedup.mergeWindowS * 1000, groupOf: inventory.groupOf },
    evidenceRefs,
  );
  const statuses = new CameraStatusStore(db);
  const quarantine = new QuarantineStore(db, config.ingest.quarantineMaxRows);
  const ingest = new IngestService(incidents, quarantine, statuses, log, {
    limits: {
      maxMessageBytes: config.ingest.maxMessageBytes,
      maxClockSkewMs: config.ingest.maxClockSkewS * 1000,
      maxEventAgeMs: config.ingest.maxEventAgeDays * 86_400_000,
    },
    // Marked before processing, cleared on commit: a message that stopped central is not processed again.
    inflight: new InflightMarkers(db),
  });
  const reviewStore = new ReviewStore(db);
  // Plates: each stored message refreshes its incident's machine read (registered first, so forwarders and the
  // live feed, which listen after it, see the plate).
  const plateStore = new PlateStore(db);
  const plates = new PlateService(plateStore, log);
  ingest.onIncident((id) => plateStore.refresh(id));
  const withPlate = (i: Incident | undefined) => (i ? { ...i, plate: plateStore.get(i.id) ?? null } : i);
  const evidence = new EvidenceStore(
    db,
    openBlobStore(config.evidence.store, config.evidence.dir),
    Date.now,
    undefined,
    evidenceRefs,
    (eventId, site) => quarantine.refusedEvent(eventId, site),
  );
  // Before serving: crash leftovers (staged uploads, rows whose blob never came) are cleared.
  const repaired = await evidence.recover();
  if (repaired.staged + repaired.orphans > 0) log.info(repaired, 'evidence store repaired at startup');
  const notes = new EvidenceNotesStore(db);
  const scenes = new CameraSceneStore(db);
  const views = new CameraViewStore(db);
  const locks = new ReviewLocks(db);
  // The workstation's evidence check needs the workstation, which needs the service: tied through a closure.
  let workstation: ReviewWorkstation | undefined;
  const reviews = new ReviewService(reviewStore, log, {
    locks,
    evidenceOf: (inc) => workstation!.evidenceOf(inc),
    options: { undoWindowMs: config.review.undoWindowS * 1000, lockLeaseMs: config.review.lockLeaseS * 1000 },
  });
  workstation = new ReviewWorkstation({
    db,
    incidents,
    reviewStore,
    reviews,
    locks,
    scenes,
    notes,
    evidence,
    evidencePendingMaxMs: config.review.evidencePendingMaxS * 1000,
  });
  const ws = workstation;
  // Evidence arriving, failing or expiring changes what a reviewer sees: review pages hear of it.
  const evidenceListeners = new Set<(incidentId: string, created: boolean) => void>();
  // Clip-start probes run after the upload's reply; stop() waits for them before the database closes.
  const clipProbes = new Set<Promise<void>>();
  let closing = false;
  const evidenceChanged = (evidenceId: string) => {
    const incidentId = ws.incidentOfEvidence(evidenceId);
    if (incidentId) for (const l of evidenceListeners) l(incidentId, false);
  };
  const retention = new EvidenceRetention(evidence, config.evidence, log);
  retention.onDeleted = (id) => {
    notes.note(
      id,
      'expired',
      `deleted by central's retention (${config.evidence.retentionDays} days / size limit)`,
    );
    evidenceChanged(id);
  };
  retention.start(10 * 60_000);

  let broker: EmbeddedBroker | undefined;
  let brokerUrl = config.broker.url;
  // With the embedded broker and no configured password, central's own login is made fresh at each start.
  const brokerPassword =
    config.broker.password ?? (config.broker.embedded ? randomBytes(32).toString('base64url') : undefined);
  if (config.broker.embedded) {
    const u = new URL(config.broker.url);
    broker = await startEmbeddedBroker({
      port: u.port === '' ? 1883 : Number(u.port),
      host: u.hostname,
      accounts: brokerAccounts(config, brokerPassword!),
      log: log.child({ component: 'broker' }),
    });
    brokerUrl = broker.url;
    log.info({ broker: brokerUrl }, 'embedded broker started');
  }
  // IOC forwarding: outbox messages for incident changes and verdicts; links use the address known after listen
  let address = '';
  const forwarding = startForwarding({
    db,
    incidents: { get: (id) => withPlate(incidents.get(id)) },
    // A plate correction is an incident change the IOC hears of (an Update carrying the corrected plate).
    onIncident: (listener) => {
      const offIngest = ingest.onIncident(listener);
      const offPlates = plates.onCorrection((id) => listener(id, false));
      return () => {
        offIngest();
        offPlates();
      };
    },
    onVerdict: (listener) =>
      reviews.onVerdict((i, verdict, by, note) => listener(withPlate(i)!, verdict, by, note)),
    cameras: config.cameras,
    config: config.forwarding,
    publicUrl: () => config.forwarding.publicUrl ?? address,
    evidenceFile: (id) => evidence.get(id),
    log: log.child({ component: 'forward' }),
  });
  const brokerClientId = centralClientId(db, config.broker);
  const subscriber = new Subscriber(
    { ...config.broker, url: brokerUrl, password: brokerPassword, clientId: brokerClientId },
    ingest,
    log,
    config.ingest,
  );
  const brokerCheckAbort = new AbortController();
  const brokerCheck = checkBrokerSettings(
    config,
    {
      url: brokerUrl,
      login: probeLogin(config.broker.username, brokerPassword),
      publish: (topic, payload) => subscriber.client.publishAsync(topic, payload, { qos: 1 }),
    },
    log,
    brokerCheckAbort.signal,
  );

  const app = await buildApp({
    incidents,
    tokens,
    sessions: new SessionStore(db, tokens, config.auth.sessionMaxAgeS * 1000),
    limiter: new LoginLimiter({
      maxFailures: config.auth.loginMaxFailures,
      windowMs: config.auth.loginWindowS * 1000,
    }),
    opsAllow: new NetworkAllowList(config.http.opsAllowCidrs),
    audit,
    trustProxy: config.http.trustProxy,
    reviews,
    reviewStore,
    workstation,
    scenes,
    views,
    map: config.map,
    timezone: config.review.timezone,
    evidenceHooks: {
      onStored: (id, contentType) => {
        if (contentType !== 'video/mp4') return evidenceChanged(id);
        const probe = evidence
          .withLocalFile(id, (file) => probeClipStart(file))
          .then((startMs) => {
            if (!closing) notes.setClipStart(id, startMs ?? null);
          })
          .catch((err: Error) => log.warn({ evidence: id, err: err.message }, 'clip start not readable'))
          .finally(() => {
            clipProbes.delete(probe);
            if (!closing) evidenceChanged(id);
          });
        clipProbes.add(probe);
      },
      // Like uploads, a failure notice counts only from the site whose event named the file (chain of custody).
      onFailure: (id, reason, site) => {
        const ref = evidenceRefs.get(id);
        if (!ref) return 'unknown';
        if (site !== undefined && ref.site !== site) return 'other_site';
        notes.note(id, 'failed', reason);
        evidenceChanged(id);
        return 'ok';
      },
    },
    stats: new StatsStore(db),
    inventory,
    statuses,
    quarantine,
    evidence,
    forwarding: forwarding.service,
    plates,
    log,
    // Review pages hear of new events and of other reviewers' verdicts.
    liveFeeds: [
      (listener) => ingest.onIncident(listener),
      (listener) => reviews.onChange((id) => listener(id, false)),
      (listener) => {
        evidenceListeners.add(listener);
        return () => evidenceListeners.delete(listener);
      },
      (listener) => plates.onCorrection((id) => listener(id, false)),
    ],
    ready: () => {
      const checks = { database: db.open, broker: subscriber.client.connected };
      return { ok: Object.values(checks).every(Boolean), checks };
    },
  });
  const metrics = new CentralMetrics({
    ingest: () => ingest.counters,
    acks: () => subscriber.ackCounters,
    brokerConnected: () => subscriber.client.connected,
    ...(broker ? { brokerRefused: () => broker!.refused } : {}),
    forwarding: () => forwarding.service.metricsSnapshot(),
  });
  await app.register(metricsPlugin, { registry: metrics.registry });
  // Requests in progress, so a shutdown that has to cut connections can say which ones it cut.
  const inflight = new Map<string, string>();
  app.addHook('onRequest', async (req) => {
    inflight.set(req.id, `${req.method} ${req.url.split('?')[0]}`);
  });
  app.addHook('onResponse', async (req) => {
    inflight.delete(req.id);
  });
  app.addHook('onRequestAbort', async (req) => {
    inflight.delete(req.id);
  });
  address = await app.listen({ host: config.http.host, port: config.http.port });
  reviews.resume(); // verdicts of a previous run still inside their undo window, or not yet forwarded
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
    audit,
    broker,
    brokerClientId,
    brokerCheck,
    async stop() {
      brokerCheckAbort.abort();
      retention.stop();
      reviews.stop();
      // Requests in progress get CLOSE_GRACE_MS to finish; then their connections are cut, so a stalled client (an
      // upload whose sender stopped sending) cannot hold the shutdown. An edge retries a cut upload.
      const closed = app.close();
      if (!(await within(closed, CLOSE_GRACE_MS))) {
        log.warn(
          { graceMs: CLOSE_GRACE_MS, requests: [...inflight.values()].slice(0, 20) },
          'requests still open at shutdown; connections cut',
        );
        app.server.closeAllConnections();
      }
      await closed;
      // No upload can start now; the probes of the last ones finish (their notes kept) before the database closes.
      await Promise.allSettled([...clipProbes]);
      closing = true;
      await subscriber.close();
      await forwarding.stop();
      if (broker) await broker.close();
      db.close();
    },
  };
}

/** In the background: never delays the start, never stops central; what it finds goes to the log. */
async function checkBrokerSettings(
  config: CentralConfig,
  conn: {
    url: string;
    login: { username: string; password: string | undefined };
    publish: (topic: string, payload: Buffer) => Promise<unknown>;
  },
  log: Logger,
  signal: AbortSignal,
): Promise<{ observation: BrokerObservation; warnings: string[] } | undefined> {
  const probeMessages = config.broker.queueProbeMessages ?? 2000;
  if (probeMessages === 0 && config.broker.protocolVersion === 4) return undefined;
  try {
    const observation = await observeBroker({
      url: conn.url,
      ...conn.login,
      tls: tlsFileOptions(config.broker),
      protocolVersion: config.broker.protocolVersion,
      publish: conn.publish,
      probeMessages,
      maxMessageBytes: config.ingest.maxMessageBytes,
      signal,
    });
    const warnings = assessBroker(observation, config.ingest.maxMessageBytes);
    log.info({ broker: observation }, 'broker settings checked');
    for (const w of warnings) log.warn({ check: 'broker settings' }, w);
    return { observation, warnings };
  } catch (err) {
    if (!signal.aborted)
      log.warn({ err: (err as Error).message }, 'broker settings not checked (the broker refused the probe)');
    return undefined;
  }
}
