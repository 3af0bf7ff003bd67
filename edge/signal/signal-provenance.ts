// Where a camera's signal state comes from, as a red_light event records it: the evidence of why "red" was red.
import type { SignalConfig } from './signal-schema.ts';

/**
 * `mqtt:{topic}` (the controller's topic; only the controller's account may publish it, see docs/SECURITY.md),
 * `lamp:{x1,y1,x2,y2}` (the red lamp's region of the picture), `fixed:{state}` (configured, no live source), or
 * `none` (no signal block: state unknown, red_light never fires).
 */
export function signalProvenance(cfg: SignalConfig | undefined): string {
  if (!cfg) return 'none';
  switch (cfg.source) {
    case 'mqtt':
      return `mqtt:${cfg.topic}`;
    case 'lamp':
      return `lamp:${cfg.redRegionNorm.join(',')}`;
    case 'fixed':
      return `fixed:${cfg.state}`;
  }
}
