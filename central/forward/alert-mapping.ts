// What each rule type means to an IOC: CAP 1.2 category/urgency/severity and FIWARE Alert category/subCategory.
import type { RuleType } from '../../contract/event.ts';

/** CAP 1.2 §3.2.2 enumerations (the values the XSD accepts). */
export type CapCategory =
  | 'Geo'
  | 'Met'
  | 'Safety'
  | 'Security'
  | 'Rescue'
  | 'Fire'
  | 'Health'
  | 'Env'
  | 'Transport'
  | 'Infra'
  | 'CBRNE'
  | 'Other';
export type CapUrgency = 'Immediate' | 'Expected' | 'Future' | 'Past' | 'Unknown';
export type CapSeverity = 'Extreme' | 'Severe' | 'Moderate' | 'Minor' | 'Unknown';
export type CapCertainty = 'Observed' | 'Likely' | 'Possible' | 'Unlikely' | 'Unknown';

/** FIWARE Alert `category` and `subCategory` values (dataModel.Alert enums). */
export type NgsiCategory = 'traffic' | 'naturalDisaster' | 'weather' | 'environment' | 'health' | 'security';
export type NgsiSeverity = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export interface AlertMapping {
  event: { vi: string; en: string };
  cap: { category: CapCategory; urgency: CapUrgency; severity: CapSeverity };
  ngsi: { category: NgsiCategory; subCategory?: string };
}

// Violations already happened when they are reported: urgency Past, severity Minor (a fine, not a danger to
// respond to). Conditions that persist (wrong-way driver, crowd, fire, flood) are Immediate.
const TABLE: Record<RuleType, AlertMapping> = {
  zone_dwell: {
    event: { vi: 'Dừng lâu trong vùng giám sát', en: 'Object dwelling in a zone' },
    cap: { category: 'Transport', urgency: 'Expected', severity: 'Minor' },
    ngsi: { category: 'traffic', subCategory: 'carStopped' },
  },
  red_light: {
    event: { vi: 'Vượt đèn đỏ', en: 'Red-light violation' },
    cap: { category: 'Transport', urgency: 'Past', severity: 'Minor' },
    ngsi: { category: 'traffic', subCategory: 'hazardOnRoad' },
  },
  wrong_way: {
    event: { vi: 'Đi ngược chiều', en: 'Wrong-way driving' },
    cap: { category: 'Transport', urgency: 'Immediate', severity: 'Severe' },
    ngsi: { category: 'traffic', subCategory: 'carWrongDirection' },
  },
  solid_line: {
    event: { vi: 'Lấn làn, đè vạch liền', en: 'Solid-line crossing' },
    cap: { category: 'Transport', urgency: 'Past', severity: 'Minor' },
    ngsi: { category: 'traffic', subCategory: 'hazardOnRoad' },
  },
  wrong_lane: {
    event: { vi: 'Đi sai làn đường', en: 'Wrong lane' },
    cap: { category: 'Transport', urgency: 'Past', severity: 'Minor' },
    ngsi: { category: 'traffic', subCategory: 'hazardOnRoad' },
  },
  illegal_stop: {
    event: { vi: 'Dừng, đỗ xe sai quy định', en: 'Illegal stopping or parking' },
    cap: { category: 'Transport', urgency: 'Expected', severity: 'Minor' },
    ngsi: { category: 'traffic', subCategory: 'carStopped' },
  },
  forbidden_turn: {
    event: { vi: 'Rẽ, quay đầu sai quy định', en: 'Forbidden turn or U-turn' },
    cap: { category: 'Transport', urgency: 'Past', severity: 'Minor' },
    ngsi: { category: 'traffic', subCategory: 'hazardOnRoad' },
  },
  speeding: {
    event: { vi: 'Chạy quá tốc độ', en: 'Speeding' },
    cap: { category: 'Transport', urgency: 'Past', severity: 'Moderate' },
    ngsi: { category: 'traffic', subCategory: 'hazardOnRoad' },
  },
  sidewalk: {
    event: { vi: 'Lấn chiếm vỉa hè', en: 'Sidewalk encroachment' },
    cap: { category: 'Safety', urgency: 'Expected', severity: 'Minor' },
    // no FIWARE subCategory fits; the rule type travels in `data.ruleType`
    ngsi: { category: 'traffic' },
  },
  crowding: {
    event: { vi: 'Tụ tập đông người', en: 'Crowding' },
    cap: { category: 'Security', urgency: 'Immediate', severity: 'Moderate' },
    ngsi: { category: 'security', subCategory: 'crowdRisk' },
  },
  object_present: {
    event: { vi: 'Phát hiện vật thể', en: 'Object detected' },
    cap: { category: 'Other', urgency: 'Expected', severity: 'Minor' },
    ngsi: { category: 'environment' },
  },
  no_helmet: {
    event: { vi: 'Không đội mũ bảo hiểm', en: 'No helmet' },
    cap: { category: 'Transport', urgency: 'Past', severity: 'Minor' },
    ngsi: { category: 'traffic', subCategory: 'bikerOnRoad' },
  },
};

// object_present carries the custom model's class in `label`: what it is decides what the IOC must do.
const OBJECT_LABELS: Record<string, AlertMapping> = {
  fire: {
    event: { vi: 'Phát hiện cháy', en: 'Fire detected' },
    cap: { category: 'Fire', urgency: 'Immediate', severity: 'Severe' },
    ngsi: { category: 'security', subCategory: 'fireRisk' },
  },
  smoke: {
    event: { vi: 'Phát hiện khói', en: 'Smoke detected' },
    cap: { category: 'Fire', urgency: 'Immediate', severity: 'Moderate' },
    ngsi: { category: 'security', subCategory: 'fireRisk' },
  },
  flood: {
    event: { vi: 'Ngập nước', en: 'Flooding' },
    cap: { category: 'Met', urgency: 'Immediate', severity: 'Moderate' },
    ngsi: { category: 'weather', subCategory: 'flood' },
  },
  garbage: {
    event: { vi: 'Rác thải sai quy định', en: 'Illegal dumping' },
    cap: { category: 'Env', urgency: 'Expected', severity: 'Minor' },
    ngsi: { category: 'environment' },
  },
};

export function alertMapping(ruleType: string, label: string): AlertMapping {
  if (ruleType === 'object_present') {
    const byLabel = OBJECT_LABELS[label.toLowerCase()];
    if (byLabel) return byLabel;
  }
  return TABLE[ruleType as RuleType] ?? TABLE.object_present;
}

/** CAP severity -> FIWARE Alert severity (same ladder, different words). */
export function ngsiSeverity(severity: CapSeverity): NgsiSeverity {
  const map: Record<CapSeverity, NgsiSeverity> = {
    Extreme: 'critical',
    Severe: 'high',
    Moderate: 'medium',
    Minor: 'low',
    Unknown: 'informational',
  };
  return map[severity];
}
