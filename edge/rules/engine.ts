// The rules engine: filters tracks per rule, runs each rule, and turns hit lifetimes into start/update/end transitions.
//
// Identity: a subject (rule, hit key; usually `t{trackId}`) has one event while its hit lasts, bridging gaps up to
// endGraceMs. When its hit comes back after the event ended (an occlusion longer than the grace, a tracker id
// switch the tracker repaired, a re-fire after the cooldown), the new event states `continues`: the edge knows it
// is the same subject, so central does not have to guess from positions (it never merges by position).
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
  /**
   * A non-instant hit that starts a new event for a subject (rule, key) whose previous event's last hit was at most
   * this long ago continues it: the new event states `continues` (the chain's first event id), so central keeps
   * one incident. Covers the rule cooldown (default 30 s) plus the tracker's stationary re-identification window
   * (default 30 s) after which a parked car's hits come back under its old track id.
   */
  continueWindowMs: number;
  newId: () => string;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  timezone: 'Asia/Ho_Chi_Minh',
  endGraceMs: 2000,
  updateIntervalMs: 30_000,
  continueWindowMs: 60_000,
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
  /** The first event id of the violation this event continues (see EngineOptions.continueWindowMs). */
  continues?: string;
}

interface Active {
  eventId: string;
  continues: string | undefined;
  instant: boolean;
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
  /** key -> the chain's first event id and the last hit time of the key's last ended (non-instant) event. */
  ended: Map<string, { rootId: string; lastHitTs: number }>;
}

export class RulesEngine {
  private readonly slots: RuleSlot[];
  private readonly o: EngineOptions;

  constructor(rules: readonly { rule: Rule; cfg: RuleConfig }[], options: Partial<EngineOptions> = {}) {
    this.o = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.slots = rules.map(({ rule, cfg }) => ({
      rule,
      cfg,
      active: new Map(),
      cooldownUntil: new Map(),
      ended: new Map(),
    }));
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
          // Instant rules are one crossing, one event: never a continuation (and never continued, see end()).
          const previous = hit.instant ? undefined : slot.ended.get(hit.key);
          const continues =
            previous && tsMs - previous.lastHitTs <= this.o.continueWindowMs ? previous.rootId : undefined;
          slot.ended.delete(hit.key);
          const created: Active = {
            eventId: this.o.newId(),
            continues,
            instant: hit.instant === true,
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
            ...(continues ? { continues } : {}),
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
            ...(a.continues ? { continues: a.continues } : {}),
          });
        }
      }
      for (const [key, a] of slot.active) {
        if (!seenKeys.has(key) && tsMs - a.lastHitTs > this.o.endGraceMs)
          out.push(this.end(slot, key, a, tsMs));
      }
      // Forget cooldowns and continuation candidates that have expired so the maps stay bounded.
      for (const [key, until] of slot.cooldownUntil) if (until <= tsMs) slot.cooldownUntil.delete(key);
      for (const [key, e] of slot.ended)
        if (tsMs - e.lastHitTs > this.o.continueWindowMs) slot.ended.delete(key);
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
    if (!a.instant) slot.ended.set(key, { rootId: a.continues ?? a.eventId, lastHitTs: endTs });
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
      ...(a.continues ? { continues: a.continues } : {}),
    };
  }
}
