// The rules engine: filters tracks per rule, runs each rule, and turns hit lifetimes into start/update/end transitions.
import { randomUUID } from 'node:crypto';
import type { EventPhase, SignalState } from '../../contract/index.ts';
import type { Track } from '../track/track.ts';
import { boxArea } from './geometry.ts';
import type { Rule, RuleHit } from './rule.ts';
import type { RuleConfig } from './rule-schema.ts';
import { inSchedule, localTime } from './schedule.ts';

export interface EngineOptions {
  timezone: string;
  /** An active event with no hit for this long ends (bridges one or two missed detections). */
  endGraceMs: number;
  /** A long event (a parked car) republishes an update at most this often. */
  updateIntervalMs: number;
  newId: () => string;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  timezone: 'Asia/Ho_Chi_Minh',
  endGraceMs: 2000,
  updateIntervalMs: 30_000,
  newId: () => randomUUID(),
};

export interface Transition {
  phase: EventPhase;
  eventId: string;
  seq: number;
  rule: Rule;
  startTs: number;
  tsMs: number;
  endTs?: number;
  hit: RuleHit;
  /** The track the hit is about, when it is about one (for paths and evidence boxes). */
  track?: Track;
  /** On end: the frame where the hit was most confident (the "best frame" snapshot is taken there). */
  best?: { tsMs: number; hit: RuleHit };
}

interface Active {
  eventId: string;
  seq: number;
  startTs: number;
  lastPublishTs: number;
  lastHitTs: number;
  hit: RuleHit;
  track?: Track;
  best: { tsMs: number; hit: RuleHit };
}

interface RuleSlot {
  rule: Rule;
  cfg: RuleConfig;
  active: Map<string, Active>;
  /** key -> ms before which the key may not start again. */
  cooldownUntil: Map<string, number>;
}

export class RulesEngine {
  private readonly slots: RuleSlot[];
  private readonly o: EngineOptions;

  constructor(rules: readonly { rule: Rule; cfg: RuleConfig }[], options: Partial<EngineOptions> = {}) {
    this.o = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.slots = rules.map(({ rule, cfg }) => ({ rule, cfg, active: new Map(), cooldownUntil: new Map() }));
  }

  /** One frame: all tracks seen in it, the signal state and the frame's wall-clock time. */
  step(tracks: readonly Track[], tsMs: number, signal: SignalState = 'unknown'): Transition[] {
    const out: Transition[] = [];
    const t = localTime(tsMs, this.o.timezone);
    for (const slot of this.slots) {
      const { cfg } = slot;
      if (!inSchedule(cfg.schedule, t)) {
        for (const [key, a] of slot.active) out.push(this.end(slot, key, a, tsMs));
        continue;
      }
      const eligible = tracks.filter(
        (tr) =>
          tr.confirmed &&
          tr.score >= cfg.minConfidence &&
          boxArea(tr.boxXyxyNorm) >= cfg.minBoxArea &&
          (!cfg.classes || cfg.classes.includes(tr.label)),
      );
      const hits = slot.rule.evaluate({ tsMs, tracks: eligible, signal });
      const seenKeys = new Set<string>();
      for (const hit of hits) {
        seenKeys.add(hit.key);
        const track = hit.trackId !== undefined ? eligible.find((tr) => tr.id === hit.trackId) : undefined;
        const a = slot.active.get(hit.key);
        if (!a) {
          if ((slot.cooldownUntil.get(hit.key) ?? 0) > tsMs) continue;
          const created: Active = {
            eventId: this.o.newId(),
            seq: 0,
            startTs: tsMs,
            lastPublishTs: tsMs,
            lastHitTs: tsMs,
            hit,
            track,
            best: { tsMs, hit },
          };
          slot.active.set(hit.key, created);
          out.push({
            phase: 'start',
            eventId: created.eventId,
            seq: 0,
            rule: slot.rule,
            startTs: tsMs,
            tsMs,
            hit,
            track,
          });
          if (hit.instant) out.push(this.end(slot, hit.key, created, tsMs));
          continue;
        }
        a.hit = hit;
        if (hit.confidence > a.best.hit.confidence) a.best = { tsMs, hit };
        a.track = track ?? a.track;
        a.lastHitTs = tsMs;
        if (tsMs - a.lastPublishTs >= this.o.updateIntervalMs) {
          a.seq++;
          a.lastPublishTs = tsMs;
          out.push({
            phase: 'update',
            eventId: a.eventId,
            seq: a.seq,
            rule: slot.rule,
            startTs: a.startTs,
            tsMs,
            hit,
            track: a.track,
          });
        }
      }
      for (const [key, a] of slot.active) {
        if (!seenKeys.has(key) && tsMs - a.lastHitTs > this.o.endGraceMs)
          out.push(this.end(slot, key, a, tsMs));
      }
      // Forget cooldowns that have expired so the map stays bounded.
      for (const [key, until] of slot.cooldownUntil) if (until <= tsMs) slot.cooldownUntil.delete(key);
    }
    return out;
  }

  /** Ends every active event (shutdown). */
  flush(tsMs: number): Transition[] {
    const out: Transition[] = [];
    // No best frame on shutdown ends: there is no time left to capture and upload one more snapshot.
    for (const slot of this.slots)
      for (const [key, a] of slot.active) out.push({ ...this.end(slot, key, a, tsMs), best: undefined });
    return out;
  }

  private end(slot: RuleSlot, key: string, a: Active, tsMs: number): Transition {
    slot.active.delete(key);
    slot.cooldownUntil.set(key, tsMs + slot.cfg.cooldownS * 1000);
    const endTs = Math.max(a.lastHitTs, a.startTs);
    return {
      phase: 'end',
      eventId: a.eventId,
      seq: a.seq + 1,
      rule: slot.rule,
      startTs: a.startTs,
      tsMs,
      endTs,
      hit: a.hit,
      track: a.track,
      best: a.best,
    };
  }
}
