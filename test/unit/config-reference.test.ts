import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../config/reference.ts';
import { REPO_ROOT } from '../helpers/fixtures.ts';

describe('config/REFERENCE.md', () => {
  const generated = configReference();

  it('is current with the schemas (run `npm run config-reference` after changing a schema)', () => {
    expect(readFileSync(path.join(REPO_ROOT, 'config/REFERENCE.md'), 'utf8')).toBe(generated);
  });

  it.each([
    'site',
    'cameras[].source.url',
    'cameras[].fps',
    'detector.model',
    'http.port',
    'auth.tokens[].role',
  ])('documents %s', (field) => {
    expect(generated).toContain(`| \`${field}\` |`);
  });
});
