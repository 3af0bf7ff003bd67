// stopChild escalates politely: 'q' on stdin (real ffmpeg), then SIGTERM, then SIGKILL, and always waits for the exit.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stopChild } from '../../edge/ingest/stop-child.ts';
import { media } from '../helpers/fixtures.ts';

const ffmpegArgs = [
  '-hide_banner',
  '-loglevel',
  'error',
  '-re',
  '-i',
  media('us_street_intersection_360p.mp4'),
];

describe('stopChild', () => {
  it.each([
    // ffmpeg reading a clip in real time quits on 'q' and finishes its output.
    ['ffmpeg', 'q', 'ffmpeg', [...ffmpegArgs, '-f', 'null', '-']],
    // A process deaf to stdin but not to SIGTERM.
    ['a process deaf to stdin', 'SIGTERM', 'sleep', ['30']],
    // A process that ignores both (a wedged decoder); its short sleeps end on their own.
    [
      'a process ignoring SIGTERM',
      'SIGKILL',
      'bash',
      ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'],
    ],
  ] as const)('%s stops with %s', async (_name, how, cmd, args) => {
    const child = spawn(cmd, [...args], { stdio: ['pipe', 'pipe', 'ignore'] });
    // bash says when its trap is installed (a loaded box can take longer than any fixed wait); the others
    // need no more than having been spawned.
    if (cmd === 'bash') await new Promise((r) => child.stdout!.once('data', r));
    else child.stdout!.resume();
    // Generous graces: a loaded box may take a while to start ffmpeg before it reads the q.
    const result = await stopChild(child, { quitGraceMs: 3000, termGraceMs: 1000 });
    expect(result).toBe(how);
    expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
  });

  it('returns at once for a process that is already gone', async () => {
    const child = spawn('true', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    await new Promise((r) => child.once('exit', r));
    expect(await stopChild(child)).toBe('gone');
  });
});
