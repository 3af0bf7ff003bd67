// Builds the configured rules of one camera (each rule type maps to one implementation).
import type { CameraConfig } from '../config/schema.ts';
import type { Rule } from './rule.ts';
import type { RuleConfig } from './rule-schema.ts';
import { ZoneDwellRule } from './zone-dwell.ts';

export function createRules(camera: CameraConfig): { rule: Rule; cfg: RuleConfig }[] {
  const zone = (id: string) => {
    const z = camera.zones.find((zz) => zz.id === id);
    if (!z) throw new Error(`camera ${camera.id}: no zone ${id}`); // config validation already refuses this
    return z;
  };
  return camera.rules.map((cfg) => {
    switch (cfg.type) {
      case 'zone_dwell':
        return { rule: new ZoneDwellRule(cfg, zone(cfg.zone)), cfg };
      default:
        throw new Error(
          `camera ${camera.id}: rule type ${(cfg as { type: string }).type} has no implementation`,
        );
    }
  });
}
