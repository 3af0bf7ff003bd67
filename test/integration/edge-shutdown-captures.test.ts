// The demo as a user runs it (`matthan demo --duration 20`: real clip, model, edge, central) stops with evidence
// captures still queued: they must stop before the outbox closes, never fail on a closed database (issue 13).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.ts';

describe('edge shutdown with captures queued', () => {
  it('ends cleanly: incidents stored, no capture fails on a closed outbox', async () => {
    const demo = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/matthan.js'), 'demo', '--duration', '20'],
      {
        env: { ...process.env, MATTHAN_DEMO_PORT: '0' },
      },
    );
    let out = '';
    demo.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    demo.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        demo.kill('SIGKILL');
        reject(new Error(`demo did not end within 150 s:\n${out.slice(-2000)}`));
      }, 150_000);
      demo.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code, out.slice(-2000)).toBe(0);
    const summary = out.split('\n').find((l) => l.startsWith('{"frames"'));
    expect(summary, out.slice(-2000)).toBeDefined();
    expect(JSON.parse(summary!).incidentsStored).toBeGreaterThan(0);
    // Captures were queued at the stop (the clip fires several events a second): the proof has something to prove.
    expect(out).toContain('"evidence"');
    expect(out).not.toContain('The database connection is not open');
  }, 180_000);
});
