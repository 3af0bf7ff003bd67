// Pure verdict safety: a verdict key counts only once per incident on screen, never on key repeat, never during
// the transition to the next incident.

/** After a new incident is drawn, verdict keys are dropped for this long (ms): a second press meant for the
 * previous incident must not decide the next one. */
export const TRANSITION_MS = 600;

/**
 * @typedef {{id: string, version: number}} OnScreen
 * @typedef {{repeat?: boolean, timeStamp: number}} KeyLike
 * @typedef {{ok: true, target: OnScreen} | {ok: false, why: 'repeat' | 'transition' | 'pending' | 'nothing' | 'decided'}} GuardAnswer
 */

export function createVerdictGuard(transitionMs = TRANSITION_MS) {
  /** @type {OnScreen | undefined} */
  let screen;
  let shownAt = Number.NEGATIVE_INFINITY;
  let pending = false;
  /** @type {string | undefined} */
  let decidedId;
  return {
    /** A new incident (or a new version of it) is on screen at `atMs` (performance.now() clock). @param {OnScreen | undefined} s @param {number} atMs */
    shown(s, atMs) {
      const sameIncident = s && screen && s.id === screen.id;
      screen = s;
      if (!sameIncident) {
        shownAt = atMs;
        decidedId = undefined;
      }
    },
    /** May this key press give a verdict? The answer names the incident and version it applies to. @param {KeyLike} e @returns {GuardAnswer} */
    check(e) {
      if (e.repeat) return { ok: false, why: 'repeat' };
      if (!screen) return { ok: false, why: 'nothing' };
      if (pending) return { ok: false, why: 'pending' };
      if (decidedId === screen.id) return { ok: false, why: 'decided' };
      if (e.timeStamp - shownAt < transitionMs) return { ok: false, why: 'transition' };
      return { ok: true, target: { ...screen } };
    },
    /** A verdict request is in flight (true) or answered (false); `decided` marks the incident done. @param {boolean} on @param {string} [decided] */
    pending(on, decided) {
      pending = on;
      if (decided) decidedId = decided;
    },
  };
}
