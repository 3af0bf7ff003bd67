// Validators for the IOC forwarders' output, against the shared schema fixtures (never copied into the repo):
// CAP 1.2 with xmllint and the OASIS XSD, FIWARE Alert with ajv (draft 2020-12), per ../shared/schemas/MANIFEST.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { schemasDir } from '../../models/asset-dirs.ts';
import { tempDir } from './fixtures.ts';

export const SCHEMAS_DIR = schemasDir();
export const CAP_XSD = path.join(SCHEMAS_DIR, 'cap', 'CAP-v1.2.xsd');
const FIWARE_DIR = path.join(SCHEMAS_DIR, 'fiware-alert');

export interface CapValidation {
  ok: boolean;
  output: string;
}

/** Runs `xmllint --noout --schema CAP-v1.2.xsd` over the documents (one process for all of them). */
export function validateCap(documents: readonly string[]): CapValidation[] {
  const dir = tempDir('matthan-cap-');
  const files = documents.map((doc, i) => {
    const f = path.join(dir, `cap-${i}.xml`);
    writeFileSync(f, doc);
    return f;
  });
  const run = spawnSync('xmllint', ['--noout', '--schema', CAP_XSD, ...files], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  if (run.error) throw run.error;
  const output = `${run.stdout}${run.stderr}`;
  // xmllint prints "<file> validates" or "<file> fails to validate" (plus the reasons) per file on stderr
  return files.map((f) => {
    const lines = output.split('\n').filter((l) => l.startsWith(f));
    return { ok: lines.some((l) => l === `${f} validates`), output: lines.join('\n') };
  });
}

/** XPath string value of a document (`xmllint --xpath`), for checking what a real parser reads back. */
export function xpathString(document: string, expression: string): string {
  const dir = tempDir('matthan-xml-');
  const f = path.join(dir, 'doc.xml');
  writeFileSync(f, document);
  try {
    const out = execFileSync('xmllint', ['--xpath', `string(${expression})`, f], { encoding: 'utf8' });
    return out.replace(/\n$/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SCHEMA_IDS: Record<string, string> = {
  'https://smart-data-models.github.io/data-models/common-schema.json': 'common-schema.json',
  'https://smart-data-models.github.io/dataModel.Alert/alert-schema.json': 'alert-schema.json',
  'https://smart-data-models.github.io/dataModel.Weather/weather-schema.json': 'weather-schema.json',
  'https://smart-data-models.github.io/dataModel.Alert/alert/schema.json': 'schema.json',
};

/** Normalized NGSI-LD (Property/GeoProperty, {"@type","@value"}) -> the key-values form the schema describes. */
export function toKeyValues(entity: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(entity)
      .filter(([k]) => k !== '@context')
      .map(([k, v]) => {
        if (k === 'id' || k === 'type') return [k, v];
        const o = v as Record<string, unknown> | null;
        let x: unknown =
          o && typeof o === 'object' && 'value' in o ? o.value : o && 'object' in o ? o.object : v;
        if (x && typeof x === 'object' && '@value' in x) x = (x as Record<string, unknown>)['@value'];
        return [k, x];
      }),
  );
}

/** A validator for NGSI-LD Alert entities (normalized), with the four schemas registered under their $ids. */
export function fiwareAlertValidator(): (entity: Record<string, unknown>) => string[] {
  const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
  addFormats(ajv);
  ajv.addKeyword('$schemaVersion');
  ajv.addKeyword('modelTags');
  ajv.addFormat('idn-email', true);
  for (const [id, file] of Object.entries(SCHEMA_IDS))
    ajv.addSchema(JSON.parse(readFileSync(path.join(FIWARE_DIR, file), 'utf8')), id);
  const validate = ajv.getSchema('https://smart-data-models.github.io/dataModel.Alert/alert/schema.json');
  if (!validate) throw new Error('FIWARE Alert schema did not load');
  return (entity) =>
    validate(toKeyValues(entity))
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
