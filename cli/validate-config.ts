// `matthan validate-config FILE`: checks an edge or central config, prints every issue with path, value and reason.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadCentralConfig } from '../central/config/load.ts';
import { ConfigError, formatIssue } from '../config/errors.ts';
import { loadEdgeConfig } from '../edge/config/load.ts';

/** An edge config names cameras; a central config does not. `kind` forces one. */
export function detectKind(file: string): 'edge' | 'central' {
  try {
    const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    return doc && typeof doc === 'object' && ('cameras' in doc || 'site' in doc) ? 'edge' : 'central';
  } catch {
    return 'edge'; // the loader reports the syntax error with its line
  }
}

export function validateConfigCommand(file: string, kind?: 'edge' | 'central'): number {
  const k = kind ?? detectKind(file);
  try {
    if (k === 'edge') loadEdgeConfig(file);
    else loadCentralConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `${file}: invalid ${k} config (${err.issues.length} issue${err.issues.length > 1 ? 's' : ''})\n`,
      );
      for (const issue of err.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
      return 1;
    }
    throw err;
  }
  process.stdout.write(`${file}: valid ${k} config\n`);
  return 0;
}
