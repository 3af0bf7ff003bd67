// Ingest bounds on wall-clock timestamps: not ahead of central's clock by more than the allowed skew, and
// (optionally) not older than a maximum age. Pure: the caller passes its clock.

export interface IngestLimits {
  /** Largest payload parsed, in bytes. */
  maxMessageBytes: number;
  /** How far a timestamp may be ahead of central's clock (edge clock skew, files read faster than real time). */
  maxClockSkewMs: number;
  /** How old a timestamp may be; 0: no bound beyond the contract's (edges replay old events after an outage). */
  maxEventAgeMs: number;
}

/** Why a timestamp at `path` is out of bounds, naming field and value; undefined when it is fine. */
export function timestampProblem(
  path: string,
  tsMs: number,
  nowMs: number,
  limits: Pick<IngestLimits, 'maxClockSkewMs' | 'maxEventAgeMs'>,
): string | undefined {
  if (tsMs > nowMs + limits.maxClockSkewMs)
    return (
      `${path}: ${tsMs} (${iso(tsMs)}) is ${seconds(tsMs - nowMs)} s ahead of central's clock, more than ` +
      `ingest.maxClockSkewS (${seconds(limits.maxClockSkewMs)} s)`
    );
  if (limits.maxEventAgeMs > 0 && tsMs < nowMs - limits.maxEventAgeMs)
    return (
      `${path}: ${tsMs} (${iso(tsMs)}) is ${seconds(nowMs - tsMs)} s old, older than ` +
      `ingest.maxEventAgeDays (${seconds(limits.maxEventAgeMs)} s)`
    );
  return undefined;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? 'not a date' : d.toISOString();
}
