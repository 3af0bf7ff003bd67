// Loads and validates an edge config file; resolves relative paths against the file's directory.
import { loadConfigFile } from '../../config/load.ts';
import { checkEdgeConfig, type EdgeConfig, EdgeConfigSchema } from './schema.ts';

export function loadEdgeConfig(file: string, env: NodeJS.ProcessEnv = process.env): EdgeConfig {
  return loadConfigFile(file, EdgeConfigSchema, { check: checkEdgeConfig, env });
}
