// The SignalSource plug point: the signal state a camera's rules see, from a fixed value, MQTT or the lamp's pixels.
import type { SignalState } from '../../contract/index.ts';
import type { Frame } from '../ingest/frame.ts';

export interface SignalSource {
  /** The state now; 'unknown' whenever the source cannot vouch for one (stale, unparseable, lamp unreadable). */
  state(): SignalState;
  /** Sources that read the picture (lamp) take every processed frame, before the rules step. */
  onFrame?(frame: Frame): void;
  close(): void;
}
