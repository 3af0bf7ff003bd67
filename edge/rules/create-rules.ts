// Builds the configured rules of one camera (each rule type maps to one implementation).
import type { AttributeVerdicts } from '../classify/track-attribute-voter.ts';
import type { CameraConfig } from '../config/schema.ts';
import { CrowdingRule } from './crowding.ts';
import { ForbiddenTurnRule } from './forbidden-turn.ts';
import { IllegalStopRule } from './illegal-stop.ts';
import { NoHelmetRule } from './no-helmet.ts';
import { ObjectPresentRule } from './object-present.ts';
import { RedLightRule } from './red-light.ts';
import type { Rule } from './rule.ts';
import type { RuleConfig } from './rule-schema.ts';
import { SidewalkRule } from './sidewalk.ts';
import { SolidLineRule } from './solid-line.ts';
import { SpeedingRule } from './speeding.ts';
import { WrongLaneRule } from './wrong-lane.ts';
import { WrongWayRule } from './wrong-way.ts';
import { ZoneDwellRule } from './zone-dwell.ts';

/** `deps.attributes`: the camera's classifier verdicts (needed by no_helmet rules). */
export function createRules(
  camera: CameraConfig,
  deps: { attributes?: AttributeVerdicts } = {},
): { rule: Rule; cfg: RuleConfig }[] {
  const line = (id: string) => {
    const l = camera.lines.find((ll) => ll.id === id);
    if (!l) throw new Error(`camera ${camera.id}: no line ${id}`); // config validation already refuses this
    return l;
  };
  const zone = (id: string) => {
    const z = camera.zones.find((zz) => zz.id === id);
    if (!z) throw new Error(`camera ${camera.id}: no zone ${id}`); // config validation already refuses this
    return z;
  };
  return camera.rules.map((cfg) => {
    switch (cfg.type) {
      case 'zone_dwell':
        return { rule: new ZoneDwellRule(cfg, zone(cfg.zone)), cfg };
      case 'illegal_stop':
        return { rule: new IllegalStopRule(cfg, zone(cfg.zone)), cfg };
      case 'speeding':
        return {
          rule: new SpeedingRule(
            cfg,
            cfg.lines ? { first: line(cfg.lines.first), second: line(cfg.lines.second) } : undefined,
          ),
          cfg,
        };
      case 'sidewalk':
        return { rule: new SidewalkRule(cfg, zone(cfg.zone)), cfg };
      case 'crowding':
        return { rule: new CrowdingRule(cfg, zone(cfg.zone)), cfg };
      case 'object_present':
        return { rule: new ObjectPresentRule(cfg, zone(cfg.zone)), cfg };
      case 'red_light':
        return { rule: new RedLightRule(cfg, line(cfg.line), cfg.exemptZones.map(zone)), cfg };
      case 'wrong_way':
        return { rule: new WrongWayRule(cfg, zone(cfg.zone)), cfg };
      case 'solid_line':
        return { rule: new SolidLineRule(cfg, line(cfg.line)), cfg };
      case 'wrong_lane':
        return { rule: new WrongLaneRule(cfg, zone(cfg.zone)), cfg };
      case 'forbidden_turn':
        return { rule: new ForbiddenTurnRule(cfg, zone(cfg.entryZone), zone(cfg.exitZone)), cfg };
      case 'no_helmet':
        if (!deps.attributes)
          throw new Error(
            `camera ${camera.id}: rule ${cfg.id} (no_helmet) needs the camera's classifier block and its verdicts`,
          );
        return { rule: new NoHelmetRule(cfg, deps.attributes), cfg };
      default:
        throw new Error(
          `camera ${camera.id}: rule type ${(cfg as { type: string }).type} has no implementation`,
        );
    }
  });
}
