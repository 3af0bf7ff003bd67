// Generates the config reference (config/REFERENCE.md) from the TypeBox schemas: one row per field with type,
// default and description, so the documentation cannot drift from what the validator accepts.
import type { TSchema } from '@sinclair/typebox';
import { CentralConfigSchema } from '../central/config/schema.ts';
import { EdgeConfigSchema } from '../edge/config/schema.ts';

interface Row {
  path: string;
  type: string;
  required: boolean;
  def: string;
  description: string;
}

type S = TSchema & {
  type?: string | string[];
  properties?: Record<string, S>;
  required?: string[];
  items?: S | S[];
  prefixItems?: S[];
  anyOf?: S[];
  oneOf?: S[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  discriminator?: { propertyName: string };
};

function typeOf(s: S): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alts = s.anyOf ?? (s.discriminator ? undefined : s.oneOf);
  if (alts) return alts.map(typeOf).join(' \\| ');
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  let t = Array.isArray(s.type) ? s.type.join('\\|') : (s.type ?? 'any');
  if (t === 'array') {
    const item = Array.isArray(s.items) ? undefined : s.items;
    if (s.prefixItems || Array.isArray(s.items))
      t = `[${(s.prefixItems ?? (s.items as S[])).map(typeOf).join(', ')}]`;
    else if (item && item.type !== 'object' && !item.oneOf) t = `${typeOf(item)}[]`;
    else t = 'list';
  }
  const bounds: string[] = [];
  if (s.minimum !== undefined) bounds.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) bounds.push(`<= ${s.maximum}`);
  return bounds.length ? `${t} (${bounds.join(', ')})` : t;
}

function walk(s: S, path: string, required: boolean, rows: Row[]): void {
  const isObject = s.type === 'object' && s.properties;
  const listItem = s.type === 'array' && !Array.isArray(s.items) ? s.items : undefined;
  if (path) {
    rows.push({
      path,
      type: isObject ? 'object' : typeOf(s),
      // A field with a default may be left out, whatever the schema's required list says.
      required: required && s.default === undefined,
      def:
        s.default === undefined || (isObject && JSON.stringify(s.default) === '{}')
          ? ''
          : JSON.stringify(s.default),
      description: (s.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' '),
    });
  }
  if (isObject) {
    for (const [k, v] of Object.entries(s.properties!))
      walk(v, path ? `${path}.${k}` : k, s.required?.includes(k) ?? false, rows);
  } else if (listItem && listItem.type === 'object' && listItem.properties) {
    for (const [k, v] of Object.entries(listItem.properties))
      walk(v, `${path}[].${k}`, listItem.required?.includes(k) ?? false, rows);
  } else if (listItem?.discriminator && listItem.oneOf) {
    const tag = listItem.discriminator.propertyName;
    for (const branch of listItem.oneOf) {
      const name = String(branch.properties?.[tag]?.const);
      rows.push({
        path: `${path}[] (${tag}: ${name})`,
        type: 'object',
        required: false,
        def: '',
        description: branch.description ?? '',
      });
      for (const [k, v] of Object.entries(branch.properties ?? {})) {
        if (k === tag) continue;
        walk(v, `${path}[${name}].${k}`, branch.required?.includes(k) ?? false, rows);
      }
    }
  }
}

function table(schema: TSchema): string {
  const rows: Row[] = [];
  walk(schema as S, '', true, rows);
  const out = ['| field | type | required | default | description |', '|---|---|---|---|---|'];
  for (const r of rows)
    out.push(
      `| \`${r.path}\` | ${r.type} | ${r.required ? 'yes' : ''} | ${r.def ? `\`${r.def}\`` : ''} | ${r.description} |`,
    );
  return out.join('\n');
}

export function configReference(): string {
  return [
    '# Config reference',
    '',
    '<!-- Generated from the schemas by `npm run config-reference`; do not edit by hand (a test checks it is current). -->',
    '',
    'Both files are YAML. `${NAME}` and `${NAME:-default}` are replaced from the environment (use them for secrets).',
    'Coordinates are normalised 0..1 of the frame (x right, y down), so a config survives a resolution change.',
    'Check a file with `npx matthan validate-config FILE`: every problem is printed as `path (line N): reason; got value`.',
    '',
    '## Edge box (`matthan edge FILE`)',
    '',
    table(EdgeConfigSchema),
    '',
    '## Central (`matthan central FILE`)',
    '',
    table(CentralConfigSchema),
    '',
  ].join('\n');
}
