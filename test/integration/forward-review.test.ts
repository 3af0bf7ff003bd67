// Forwarding through the real central (startCentral): review verdicts over the HTTP API drive CAP Cancel and
// after-confirm alerts; a receiver that keeps failing dead-letters, shows at GET /api/forwarding and is retried.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CentralConfigSchema } from '../../central/config/schema.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { parseConfig } from '../../config/load.ts';
import type { MatthanEvent } from '../../contract/event.ts';
import { Topics } from '../../contract/topics.ts';
import { secret } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { IocReceiver, type Receipt, waitFor } from '../helpers/forward-receiver.ts';
import { fiwareAlertValidator, validateCap, xpathString } from '../helpers/forward-validators.ts';

const SECRET = 'review-test-secret-0123456';
const ADMIN = secret();
const REVIEWER = secret();
const SITE = 'qnam-tamky';
const SENDER = 'matthan@ioc.quangnam.gov.vn';
const cap = (doc: string, element: string) =>
  xpathString(doc, `/*[local-name()='alert']/*[local-name()='${element}']`);

describe('forwarding wired into central: verdicts, policy, dead letters', () => {
  const receiver = new IocReceiver({ '/hook': SECRET, '/cap': SECRET, '/flaky': SECRET });
  const dir = tempDir('matthan-forward-review-');
  let central: CentralHandle;

  const api = (method: string, url: string, token?: string, body?: unknown) =>
    fetch(`${central.url}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  function publish(e: MatthanEvent): void {
    expect(central.ingest.handle(Topics.events(e.site, e.camera), Buffer.from(JSON.stringify(e)))).toBe(
      'stored',
    );
  }

  const capDocs = (incidentId: string) =>
    receiver.on('/cap').filter((r) => r.key.startsWith(`cap.${incidentId}.`));
  const waitCap = (incidentId: string, n: number) =>
    waitFor(() => capDocs(incidentId).length >= n, 15_000, `${n} CAP messages for ${incidentId}`);

  beforeAll(async () => {
    await receiver.start();
    receiver.failing.set('/flaky', 503);
    const config = parseConfig(
      `
http: { host: 127.0.0.1, port: 0 }
broker: { url: "mqtt://127.0.0.1:0", embedded: true }
database: { path: ${path.join(dir, 'central.sqlite')} }
evidence: { dir: ${path.join(dir, 'evidence')} }
review: { undoWindowS: 0 } # verdicts reach the forwarders at once (no undo window) in this test
auth:
  tokens:
    - { name: admin-1, role: admin, token: ${ADMIN} }
    - { name: reviewer-1, role: reviewer, token: ${REVIEWER} }
cameras:
  - { site: ${SITE}, id: cam-01, name: "Ngã tư Phan Chu Trinh", location: { lat: 15.5736, lon: 108.474 } }
forwarding:
  defaultPolicy: after-confirm
  policy: { crowding: immediate }
  publicUrl: https://matthan.ioc.example
  pollMs: 50
  forwarders:
    - { id: cap, type: cap, url: ${receiver.url('/cap')}, secret: ${SECRET}, sender: ${SENDER},
        backoff: { initialMs: 50, maxMs: 200 } }
    - { id: hook, type: webhook, url: ${receiver.url('/hook')}, secret: ${SECRET}, backoff: { initialMs: 50, maxMs: 200 } }
    - { id: ngsi, type: ngsi-ld, url: ${receiver.url('/ngsi')}, backoff: { initialMs: 50, maxMs: 200 } }
    - { id: flaky, type: webhook, url: ${receiver.url('/flaky')}, secret: ${SECRET}, maxAttempts: 3,
        backoff: { initialMs: 50, maxMs: 100 } }
`,
      '<test>',
      CentralConfigSchema,
    );
    central = await startCentral(config);
  });

  afterAll(async () => {
    await central?.stop();
    await receiver.stop();
  });

  it('rejecting a forwarded incident sends a CAP Cancel that references the original', async () => {
    const id = 'evt_crowd_000001';
    publish(
      sampleEvent({
        id,
        site: SITE,
        camera: 'cam-01',
        rule: 'square-crowd',
        ruleType: 'crowding',
        label: 'person',
      }),
    );
    await waitCap(id, 1);
    const [alert] = capDocs(id);
    expect(cap(alert!.body, 'msgType')).toBe('Alert');
    expect(xpathString(alert!.body, "//*[local-name()='info'][1]/*[local-name()='certainty']")).toBe(
      'Likely',
    );

    const res = await api('POST', `/api/incidents/${id}/review`, REVIEWER, {
      verdict: 'rejected',
      reason: 'not_violation',
      note: 'a queue',
    });
    expect(res.status).toBe(200);
    await waitCap(id, 2);
    const cancel = capDocs(id)[1]!;
    expect(cap(cancel.body, 'msgType')).toBe('Cancel');
    // CAP 1.2 references: "sender,identifier,sent" of the original, as the IOC received it
    expect(cap(cancel.body, 'references')).toBe(
      `${cap(alert!.body, 'sender')},${cap(alert!.body, 'identifier')},${cap(alert!.body, 'sent')}`,
    );
    expect(cap(cancel.body, 'sender')).toBe(SENDER);
    expect(cap(cancel.body, 'note')).toContain('reviewer-1');
    expect(cap(cancel.body, 'incidents')).toBe(id);
    expect(validateCap([alert!.body, cancel.body]).map((r) => r.ok)).toEqual([true, true]);

    // the other formats hear of it too: a webhook incident.cancel and an NGSI-LD Alert that is no longer valid
    await waitFor(() => receiver.on('/hook').some((r) => r.key === `hook.${id}.2`), 15_000, 'webhook cancel');
    const hook = JSON.parse(receiver.on('/hook').find((r) => r.key === `hook.${id}.2`)!.body);
    expect(hook.type).toBe('incident.cancel');
    expect(hook.references).toEqual([`hook.${id}.1`]);
    await waitFor(() => receiver.on('/ngsi').some((r) => r.key === `ngsi.${id}.2`), 15_000, 'NGSI-LD cancel');
    const [entity] = JSON.parse(receiver.on('/ngsi').find((r) => r.key === `ngsi.${id}.2`)!.body);
    expect(entity.validTo).toBeDefined();
    expect(fiwareAlertValidator()(entity)).toEqual([]);

    // rejecting again sends nothing more
    expect(
      (
        await api('POST', `/api/incidents/${id}/review`, REVIEWER, {
          verdict: 'rejected',
          reason: 'duplicate',
        })
      ).status,
    ).toBe(200);
    const listed = await (await api('GET', `/api/forwarding?incident=${id}&forwarder=cap`, ADMIN)).json();
    expect(listed.total).toBe(2);
  });

  it('an after-confirm rule is forwarded only once a reviewer confirms; what arrives after is not forwarded', async () => {
    const id = 'evt_redlight_0001';
    const start = sampleEvent({
      id,
      site: SITE,
      camera: 'cam-01',
      rule: 'stop-line',
      ruleType: 'red_light',
      label: 'car',
    });
    publish(start);
    // the enqueue happens inside the ingest call, so an empty outbox now means nothing will be sent
    const before = await (await api('GET', `/api/forwarding?incident=${id}`, ADMIN)).json();
    expect(before.total).toBe(0);

    expect(
      (
        await api('POST', `/api/incidents/${id}/review`, REVIEWER, {
          verdict: 'confirmed',
          override: true, // no evidence uploaded in this test
          note: 'checked on the live view',
        })
      ).status,
    ).toBe(200);
    await waitCap(id, 1);
    const alert = capDocs(id)[0]!;
    expect(cap(alert.body, 'msgType')).toBe('Alert');
    expect(xpathString(alert.body, "//*[local-name()='info'][1]/*[local-name()='certainty']")).toBe(
      'Observed',
    );
    expect(xpathString(alert.body, "//*[local-name()='info'][1]//*[local-name()='circle']")).toBe(
      '15.5736,108.474 0',
    );
    expect(xpathString(alert.body, "//*[local-name()='info'][1]/*[local-name()='web']")).toBe(
      `https://matthan.ioc.example/api/incidents/${id}`,
    );

    // A confirmed incident is frozen (issue 16): the end that arrives after the verdict is kept with the
    // incident's events, changes nothing and sends no Update (the enqueue would happen inside the ingest call).
    const queued = (await (await api('GET', `/api/forwarding?incident=${id}`, ADMIN)).json()).total;
    expect(
      central.ingest.handle(
        Topics.events(SITE, 'cam-01'),
        Buffer.from(
          JSON.stringify({ ...start, seq: 1, phase: 'end', ts: start.ts + 4_000, endTs: start.ts + 4_000 }),
        ),
      ),
    ).toBe('stored');
    expect((await (await api('GET', `/api/forwarding?incident=${id}`, ADMIN)).json()).total).toBe(queued);
    const detail = await (await api('GET', `/api/incidents/${id}`, ADMIN)).json();
    expect(detail).toMatchObject({ status: 'confirmed', ended: false, lateMessages: 1 });
    expect(validateCap([alert.body]).map((r) => r.ok)).toEqual([true]);
  });

  it('an immediate rule is updated while it awaits review: CAP Update referencing the Alert', async () => {
    const id = 'evt_crowd_upd_0001';
    const start = sampleEvent({
      id,
      site: SITE,
      camera: 'cam-01',
      rule: 'square-crowd',
      ruleType: 'crowding',
      label: 'person',
    });
    publish(start);
    await waitCap(id, 1);
    publish({ ...start, seq: 1, phase: 'end', ts: start.ts + 4_000, endTs: start.ts + 4_000 });
    await waitCap(id, 2);
    const [alert, update] = capDocs(id);
    expect(cap(update!.body, 'msgType')).toBe('Update');
    expect(cap(update!.body, 'references')).toBe(
      `${SENDER},${cap(alert!.body, 'identifier')},${cap(alert!.body, 'sent')}`,
    );
    expect(validateCap([alert!.body, update!.body]).map((r) => r.ok)).toEqual([true, true]);
  });

  it('a delivery that keeps failing is dead-lettered, listed with its last error, and retried on request', async () => {
    // the three incidents above produced 5 messages for every forwarder (2 + 1 + 2), including the failing one
    await waitFor(
      async () => {
        const flaky = await flakyCounts();
        return flaky.dead === 5 && flaky.pending === 0;
      },
      15_000,
      'flaky deliveries dead-lettered',
    );
    expect((await api('GET', '/api/forwarding')).status).toBe(401);
    expect((await api('GET', '/api/forwarding', REVIEWER)).status).toBe(403);
    const res = await api('GET', '/api/forwarding?state=dead&forwarder=flaky', ADMIN);
    expect(res.status).toBe(200);
    const dead = await res.json();
    expect(dead.total).toBe(5);
    for (const d of dead.items) {
      expect(d.attempts).toBe(3);
      expect(d.lastStatus).toBe(503);
      expect(d.lastError).toBe('HTTP 503: receiver unavailable');
      expect(d.body).toBeUndefined();
    }
    expect(dead.forwarders.find((f: { id: string }) => f.id === 'flaky')).toMatchObject({
      dead: 5,
      pending: 0,
    });
    const one = await (await api('GET', `/api/forwarding/${dead.items[0].id}`, ADMIN)).json();
    expect(JSON.parse(one.body).messageId).toBe(dead.items[0].id);

    // the receiver is fixed; an admin retries every dead delivery
    receiver.failing.delete('/flaky');
    const ids: string[] = dead.items.map((d: { id: string }) => d.id);
    for (const id of [...ids].sort()) {
      const r = await api('POST', `/api/forwarding/${id}/retry`, ADMIN);
      expect(r.status).toBe(200);
      expect((await r.json()).state).toBe('pending');
    }
    await waitFor(() => receiver.on('/flaky').length === 5, 15_000, 'retried deliveries');
    expect([...receiver.on('/flaky').map((r: Receipt) => r.key)].sort()).toEqual([...ids].sort());
    expect(receiver.duplicates).toEqual([]);
    expect(receiver.badSignatures).toBe(0);

    await waitFor(async () => (await flakyCounts()).delivered === 5, 5_000, 'flaky delivered');
    expect((await api('POST', `/api/forwarding/${ids[0]}/retry`, ADMIN)).status).toBe(409);
    expect((await api('POST', '/api/forwarding/flaky.evt_nothing_here.1/retry', ADMIN)).status).toBe(404);
    expect((await api('POST', `/api/forwarding/${ids[0]}/retry`, REVIEWER)).status).toBe(403);

    const metrics = await (await api('GET', '/metrics')).text();
    expect(metrics).toMatch(/matthan_central_forward_delivered_total\{forwarder="flaky"\} 5/);
    expect(metrics).toMatch(/matthan_central_forward_failed_total\{forwarder="flaky"\} 10/);
  });

  /** The flaky forwarder's outbox counts, as GET /api/forwarding reports them. */
  async function flakyCounts(): Promise<{ dead: number; pending: number; delivered: number }> {
    const body = await (await api('GET', '/api/forwarding?limit=1', ADMIN)).json();
    return body.forwarders.find((f: { id: string }) => f.id === 'flaky');
  }
});
