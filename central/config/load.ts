// Loads and validates the central config file.
import { loadConfigFile, parseConfig } from '../../config/load.ts';
import { type CentralConfig, CentralConfigSchema, checkCentralConfig } from './schema.ts';

export function loadCentralConfig(file: string, env: NodeJS.ProcessEnv = process.env): CentralConfig {
  return loadConfigFile(file, CentralConfigSchema, { check: checkCentralConfig, env });
}

/** A config with every default filled, for tests and the demo. */
export function defaultCentralConfig(overrides: Partial<CentralConfig> = {}): CentralConfig {
  const base = parseConfig('{}', '<defaults>', CentralConfigSchema);
  return { ...base, ...overrides };
}
