// Audits every verdict with what the reviewer was shown: the incident version and the digest of each evidence file.
import type { FastifyInstance } from 'fastify';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { IncidentStore } from '../store/incident-store.ts';
import type { AuditLog } from './audit-log.ts';

export const REVIEW_ROUTE = '/api/incidents/:id/review';

export interface VerdictAuditDeps {
  audit: AuditLog;
  incidents: IncidentStore;
  evidence?: EvidenceStore;
}

/**
 * After a stored verdict (2xx on the review route). The incident is frozen from its verdict on
 * (central/store/incident-store.ts), so the version read here is the one the verdict was given on.
 */
export function auditVerdicts(app: FastifyInstance, { audit, incidents, evidence }: VerdictAuditDeps): void {
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'POST' || req.routeOptions.url !== REVIEW_ROUTE) return;
    if (reply.statusCode < 200 || reply.statusCode >= 300 || !req.principal) return;
    const id = (req.params as { id: string }).id;
    const incident = incidents.get(id);
    if (!incident) return;
    const body = (req.body ?? {}) as {
      verdict?: string;
      note?: string;
      version?: number;
      override?: boolean;
    };
    const files: Record<string, { id: string; sha256: string | null; bytes: number | null }> = {};
    for (const [kind, evidenceId] of Object.entries(incident.evidence ?? {})) {
      const meta = evidence?.get(evidenceId);
      files[kind] = { id: evidenceId, sha256: meta?.sha256 ?? null, bytes: meta?.bytes ?? null };
    }
    audit.append({
      actor: req.principal.name,
      role: req.principal.role,
      action: 'verdict',
      target: id,
      details: {
        verdict: body.verdict ?? incident.status,
        ...(body.note ? { note: body.note } : {}),
        // A court asks why an incident without its full evidence was confirmed: the override is part of the record.
        ...(body.override === true ? { override: true } : {}),
        incidentVersion: incident.version,
        ...(typeof body.version === 'number' ? { versionSeen: body.version } : {}),
        evidence: files,
      },
      ip: req.ip,
    });
  });
}
