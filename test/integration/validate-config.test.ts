// `matthan validate-config` as a user runs it: a real process, real files, exit codes and messages.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSecretsFor } from '../helpers/credentials.ts';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.ts';

const bin = path.join(REPO_ROOT, 'bin/matthan.js');
const run = (...args: string[]) => runWith({}, ...args);
const runWith = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MATTHAN_LOG_LEVEL: 'error', ...env },
  });
const CENTRAL_EXAMPLE = path.join(REPO_ROOT, 'config/examples/central.yaml');

describe('matthan validate-config', () => {
  it('accepts the shipped example configs (central with its secrets in the environment)', () => {
    const secrets = envSecretsFor(CENTRAL_EXAMPLE);
    for (const f of [
      'edge-hcmc-intersection.yaml',
      'edge-hcmc-street.yaml',
      'edge-us-street.yaml',
      'central.yaml',
    ]) {
      const r = runWith(secrets, 'validate-config', path.join(REPO_ROOT, 'config/examples', f));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('valid');
    }
  });

  it('refuses the central example with a placeholder or a guessable secret, naming the field', () => {
    const secrets = {
      ...envSecretsFor(CENTRAL_EXAMPLE),
      MATTHAN_ADMIN_TOKEN: 'change-me-admin-token-00000',
      MATTHAN_BOX_D1_MQTT_PASSWORD: 'box-password-1234567',
    };
    const r = runWith(secrets, 'validate-config', CENTRAL_EXAMPLE);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/auth\.tokens\[1\]\.token \(line \d+\): is the example placeholder/);
    expect(r.stderr).toMatch(/edges\[0\]\.mqttPassword \(line \d+\): is guessable/);
    // The secret itself is never printed.
    expect(r.stderr).not.toContain('box-password-1234567');
  });

  it('names the bad field path, the value and the reason, and exits non-zero', () => {
    const dir = tempDir();
    const file = path.join(dir, 'edge.yaml');
    writeFileSync(
      file,
      [
        'site: s1',
        'broker: { url: mqtt://127.0.0.1:1883 }',
        'cameras:',
        '  - id: cam-1',
        '    fps: -5',
        '    source: { url: media:x.mp4 }',
        '    zones: [{ id: z, polygon: [[0, 0], [1, 0], [1, 1]] }]',
        '    rules: [{ id: r, type: zone_dwell, zone: elsewhere }]',
      ].join('\n'),
    );
    const r = run('validate-config', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invalid edge config (1 issue)');
    expect(r.stderr).toMatch(/cameras\[0\]\.fps \(line 5\): must be > 0; got -5/);
  });

  it('reports cross-field errors after the schema passes', () => {
    const dir = tempDir();
    const file = path.join(dir, 'edge.yaml');
    writeFileSync(
      file,
      'site: s1\ncameras:\n  - id: cam-1\n    source: { url: media:x.mp4 }\n    rules: [{ id: r, type: zone_dwell, zone: elsewhere }]\n',
    );
    const r = run('validate-config', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cameras[0].rules[0].zone (line 5): no zone with this id on camera cam-1');
  });

  it('fails clearly on a missing file and on a missing environment variable', () => {
    const missing = run('validate-config', '/nonexistent/edge.yaml');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot read file');
    const dir = tempDir();
    const file = path.join(dir, 'central.yaml');
    writeFileSync(
      file,
      'auth:\n  tokens: [{ name: a, role: admin, token: "${MATTHAN_TEST_UNSET_TOKEN}" }]\n',
    );
    const env = run('validate-config', file, '--kind', 'central');
    expect(env.status).toBe(1);
    expect(env.stderr).toContain('environment variable MATTHAN_TEST_UNSET_TOKEN is not set');
  });
});
