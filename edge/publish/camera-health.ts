// Per-camera health for the retained status message: fps in/processed over the last interval, drops, last event.
import type { StatusMessage } from '../../contract/index.ts';
import type { CameraStats } from '../camera-pipeline.ts';

export interface HealthSample {
  atMs: number;
  stats: CameraStats;
}

/** Pure: the status fields from two samples of one camera's counters. */
export function healthFields(
  prev: HealthSample,
  now: HealthSample,
  lastEventTs: number | undefined,
): Pick<StatusMessage, 'fpsIn' | 'fpsProcessed' | 'framesDropped' | 'lastEventTs'> {
  const seconds = (now.atMs - prev.atMs) / 1000;
  const rate = (a: number, b: number) =>
    seconds > 0 ? Math.max(0, Math.round(((b - a) / seconds) * 100) / 100) : 0;
  const out: Pick<StatusMessage, 'fpsIn' | 'fpsProcessed' | 'framesDropped' | 'lastEventTs'> = {
    fpsIn: rate(prev.stats.framesIn, now.stats.framesIn),
    fpsProcessed: rate(prev.stats.framesProcessed, now.stats.framesProcessed),
    framesDropped: now.stats.framesDropped,
  };
  if (lastEventTs !== undefined) out.lastEventTs = lastEventTs;
  return out;
}
