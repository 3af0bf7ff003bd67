// Everything the review routes read and decide with, in one place: queries, verdicts, locks, evidence states, scenes.
import type { MatthanEvent } from '../../contract/index.ts';
import type { CameraSceneStore, StoredScene } from '../store/camera-scene-store.ts';
import type { Db } from '../store/database.ts';
import type { EvidenceNotesStore } from '../store/evidence-notes-store.ts';
import { eventIdOfEvidence } from '../store/evidence-refs.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { Incident, IncidentDetail, IncidentStore } from '../store/incident-store.ts';
import type { ReviewStore, StoredReview, VersionedIncident } from '../store/review-store.ts';
import { type EvidenceStatus, evidenceStatus } from './evidence-status.ts';
import { IncidentQuery } from './incident-query.ts';
import { type IncidentTimeline, incidentTimeline } from './incident-timeline.ts';
import type { ReviewLock, ReviewLocks } from './review-locks.ts';
import type { ReviewService } from './review-service.ts';

export interface WorkstationDeps {
  db: Db;
  incidents: IncidentStore;
  reviewStore: ReviewStore;
  reviews: ReviewService;
  locks: ReviewLocks;
  scenes: CameraSceneStore;
  notes: EvidenceNotesStore;
  evidence?: EvidenceStore;
  /** After this long (ms) since the incident was last seen, unexplained absent evidence is "missing". */
  evidencePendingMaxMs: number;
  nowMs?: () => number;
}

export interface WorkstationDetail extends Omit<IncidentDetail, 'events'> {
  version: number;
  events: MatthanEvent[];
  reviews: StoredReview[];
  timeline: IncidentTimeline;
  evidenceStatus: Record<string, EvidenceStatus>;
  scene: StoredScene | null;
  lock: ReviewLock | null;
}

export class ReviewWorkstation {
  readonly query: IncidentQuery;

  constructor(readonly d: WorkstationDeps) {
    this.query = new IncidentQuery(d.db);
  }

  now(): number {
    return this.d.nowMs?.() ?? Date.now();
  }

  /** The state of each evidence reference of an incident. */
  evidenceOf = (inc: Pick<Incident, 'evidence' | 'lastSeenTs'>): Record<string, EvidenceStatus> => {
    const ev = this.d.evidence;
    return evidenceStatus(inc.evidence, inc.lastSeenTs, this.now(), this.d.evidencePendingMaxMs, {
      meta: (id) => ev?.get(id),
      note: (id) => this.d.notes.get(id),
      clipStart: (id) => this.d.notes.clipStart(id),
    });
  };

  detail(id: string): WorkstationDetail | undefined {
    const detail = this.d.incidents.detail(id);
    const versioned = this.d.reviewStore.get(id);
    if (!detail || !versioned) return undefined;
    return {
      ...detail,
      version: versioned.version,
      reviews: this.d.reviewStore.history(id),
      timeline: incidentTimeline(detail.events),
      evidenceStatus: this.evidenceOf(detail),
      scene: this.d.scenes.at(detail.site, detail.camera, detail.firstTs) ?? null,
      lock: this.d.locks.holder(id, this.now()) ?? null,
    };
  }

  /**
   * The incident an evidence id belongs to: by the edge's naming ({eventId}_{kind}) through the events table,
   * else by searching the incidents' evidence references (rare: other naming schemes).
   */
  incidentOfEvidence(evidenceId: string): string | undefined {
    const eventId = eventIdOfEvidence(evidenceId);
    const byEvent = this.d.db.prepare('SELECT incident_id FROM events WHERE id = ? LIMIT 1').get(eventId) as
      | { incident_id: string }
      | undefined;
    if (byEvent) return byEvent.incident_id;
    const byRef = this.d.db
      .prepare('SELECT id FROM incidents WHERE instr(evidence, ?) > 0 ORDER BY first_ts DESC LIMIT 1')
      .get(JSON.stringify(evidenceId)) as { id: string } | undefined;
    return byRef?.id;
  }

  /**
   * List items with who holds a live lock on each and which evidence kinds central has, so the page requests
   * only thumbnails that exist (no 404 per redraw).
   */
  withLocks(
    items: VersionedIncident[],
  ): (VersionedIncident & { lockedBy?: string; evidenceAvailable: string[] })[] {
    const locks = new Map(this.d.locks.active(this.now()).map((l) => [l.incidentId, l.reviewer]));
    return items.map((i) => {
      const by = locks.get(i.id);
      const ev = this.d.evidence;
      const evidenceAvailable = Object.entries(i.evidence ?? {})
        .filter(([, id]) => typeof id === 'string' && ev?.get(id))
        .map(([kind]) => kind);
      return by ? { ...i, lockedBy: by, evidenceAvailable } : { ...i, evidenceAvailable };
    });
  }
}
