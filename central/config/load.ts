// Loads and validates the central config file.
import { loadConfigFile, parseConfig } from '../../config/load.ts';
import { type CentralConfig, CentralConfigSchema, checkCentralConfig } from './schema.ts';

export function loadCentralConfig(file: string, env: NodeJS.ProcessEnv = process.env): CentralConfig {
  return loadConfigFile(file, CentralConfigSchema, { check: checkCentralConfig, env });
}

/** Any part of a config tree: objects may be partial at every depth, arrays are given whole. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * A config for tests and the demo: the overrides go through the schema like a file would, so every field they
 * leave out gets its default at any depth and a wrong value fails here (the cross-field checks run at start).
 */
export function defaultCentralConfig(overrides: DeepPartial<CentralConfig> = {}): CentralConfig {
  return parseConfig(JSON.stringify(overrides), '<defaults>', CentralConfigSchema, { env: {} });
}
