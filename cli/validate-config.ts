// `matthan validate-config FILE`: checks an edge or central config, prints every issue with path, value and reason.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadCentralConfig } from '../central/config/load.ts';
import { ConfigError, formatIssue } from '../config/errors.ts';
import { loadEdgeConfig } from '../edge/config/load.ts';

/**
 * An edge config has a site and cameras with a source; a central config may list cameras too (its inventory),
 * but without sources and with no top-level site. `kind` forces one.
 */
export function detectKind(file: string): 'edge' | 'central' {
  try {
    const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    if (!doc || typeof doc !== 'object') return 'central';
    if ('site' in doc) return 'edge';
    const cams = doc.cameras;
    const hasSource = Array.isArray(cams) && cams.some((c) => c && typeof c === 'object' && 'source' in c);
    return hasSource ? 'edge' : 'central';
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
