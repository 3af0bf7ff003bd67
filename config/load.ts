// Loads a YAML config: ${ENV} interpolation, schema validation with defaults, semantic checks, located errors.
import { readFileSync } from 'node:fs';
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from './errors.ts';

const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  discriminator: true,
  strict: false,
  coerceTypes: false,
  verbose: true, // errors carry their schema, so a discriminator error can list the allowed types
});

export interface LoadOptions<T> {
  /** Checks that need the whole tree (references between fields); return issues, never throw. */
  check?: (config: T) => ConfigIssue[];
  env?: NodeJS.ProcessEnv;
}

/** `${NAME}` or `${NAME:-default}`; a missing variable with no default is an error naming it. */
const ENV_REF = /\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnv(text: string, env: NodeJS.ProcessEnv, missing: string[]): string {
  return text.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
}

export function loadConfigFile<S extends TSchema>(
  file: string,
  schema: S,
  opts: LoadOptions<Static<S>> = {},
) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [
      { path: '', value: file, reason: `cannot read file (${(err as Error).message})` },
    ]);
  }
  return parseConfig(text, file, schema, opts);
}

export function parseConfig<S extends TSchema>(
  text: string,
  file: string,
  schema: S,
  opts: LoadOptions<Static<S>> = {},
): Static<S> {
  const missing: string[] = [];
  const expanded = interpolateEnv(text, opts.env ?? process.env, missing);
  if (missing.length > 0) {
    throw new ConfigError(
      file,
      missing.map((name) => ({
        path: '',
        value: `\${${name}}`,
        reason: `environment variable ${name} is not set`,
      })),
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(expanded, { lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        value: undefined,
        reason: `YAML syntax: ${e.message.split('\n')[0]}`,
        line: e.linePos?.[0]?.line,
      })),
    );
  }
  const value: unknown = doc.toJS() ?? {};
  const validate = ajv.compile(schema);
  // The line of the closest node that exists (a missing field is reported at its parent's line).
  const lineOf = (segments: (string | number)[]): number | undefined => {
    for (let n = segments.length; n >= 0; n--) {
      const node = doc.getIn(segments.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (!validate(value)) {
    throw new ConfigError(file, schemaIssues(validate.errors ?? [], value, lineOf));
  }
  const config = value as Static<S>;
  const issues = opts.check?.(config) ?? [];
  if (issues.length > 0) {
    throw new ConfigError(
      file,
      issues.map((i) => ({ ...i, line: i.line ?? lineOf(pathSegments(i.path)) })),
    );
  }
  return config;
}

function schemaIssues(
  errors: ErrorObject[],
  root: unknown,
  lineOf: (segments: (string | number)[]) => number | undefined,
): ConfigIssue[] {
  // Drop the umbrella errors of oneOf/anyOf when a branch error says more.
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const chosen = specific.length > 0 ? specific : errors;
  // A union of literals fails once per literal: report one "must be one of" per path.
  const constsByPath = new Map<string, unknown[]>();
  for (const e of chosen) {
    if (e.keyword !== 'const') continue;
    const list = constsByPath.get(e.instancePath) ?? [];
    list.push((e.params as { allowedValue: unknown }).allowedValue);
    constsByPath.set(e.instancePath, list);
  }
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const e of chosen) {
    const segments = pointerSegments(e.instancePath);
    let reason = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      segments.push(extra);
      reason = 'unknown field (check the spelling; see config/REFERENCE.md)';
    } else if (e.keyword === 'required') {
      segments.push((e.params as { missingProperty: string }).missingProperty);
      reason = 'is required';
    } else if (e.keyword === 'enum') {
      reason = `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    } else if (e.keyword === 'const') {
      const allowed = constsByPath.get(e.instancePath) ?? [];
      reason =
        allowed.length > 1
          ? `must be one of ${JSON.stringify(allowed)}`
          : `must be ${JSON.stringify(allowed[0])}`;
    } else if (e.keyword === 'discriminator') {
      const tag = (e.params as { tag: string }).tag;
      const branches = (
        (e.parentSchema as { oneOf?: { properties?: Record<string, { const?: unknown }> }[] })?.oneOf ?? []
      )
        .map((b) => b.properties?.[tag]?.const)
        .filter((v) => v !== undefined);
      segments.push(tag);
      reason = `unknown ${tag}; must be one of ${JSON.stringify(branches)}`;
    }
    const path = formatPath(segments);
    const key = `${path}|${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, value: valueAt(root, segments), reason, line: lineOf(segments) });
  }
  return issues;
}

function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** "cameras.0.rules.1.zone" style paths parse back into segments for line lookup. */
function pathSegments(path: string): (string | number)[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function formatPath(segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

function valueAt(root: unknown, segments: (string | number)[]): unknown {
  let cur = root;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}
