// Test fixtures: paths to the shared assets (never copied), temp dirs, and event builders.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type MatthanEvent, SCHEMA_VERSION } from '../../contract/index.ts';
import { mediaDir, modelsDir, REPO_ROOT } from '../../models/asset-dirs.ts';

export { REPO_ROOT };
export const MEDIA_DIR = mediaDir();
export const MODELS_DIR = modelsDir();
export const media = (name: string) => path.join(MEDIA_DIR, name);
export const tempDir = (prefix = 'matthan-test-') => mkdtempSync(path.join(os.tmpdir(), prefix));

export function sampleEvent(overrides: Partial<MatthanEvent> = {}): MatthanEvent {
  return {
    schemaVersion: SCHEMA_VERSION,
    id: 'evt_0123456789abcdef',
    seq: 0,
    phase: 'start',
    site: 'hcmc-d1',
    camera: 'cam-01',
    rule: 'queue-dwell',
    ruleType: 'zone_dwell',
    ts: 1_763_700_000_000,
    startTs: 1_763_700_000_000,
    trackId: 42,
    label: 'car',
    confidence: 0.87,
    boxXyxyNorm: [0.1, 0.5, 0.3, 0.8],
    zone: 'waiting-area',
    details: {
      dwellS: 3.2,
      pathNorm: [
        [0.2, 0.8],
        [0.21, 0.79],
      ],
    },
    ...overrides,
  };
}
