// Reads a source's video size with ffprobe (needed to place the scaled picture inside the model input).
import { execFile } from 'node:child_process';
import { maskUrl } from '../../lib/mask-url.ts';
import { concatInputArgs, concatList, hasCredentials } from './credential-input.ts';

/** execFile with an optional stdin text; rejects like promisified execFile (err.stderr, err.killed). */
function run(
  cmd: string,
  args: string[],
  opts: { timeout: number; signal?: AbortSignal; stdin?: string },
): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeout, signal: opts.signal },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stderr }));
        else resolve({ stdout });
      },
    );
    child.stdin?.on('error', () => undefined); // ffprobe gone before reading: its exit status tells why
    child.stdin?.end(opts.stdin ?? '');
  });
}

export interface ProbeResult {
  width: number;
  height: number;
  fps: number;
  codec: string;
}

/** ffprobe failed; `lines` are its stderr lines with credentials masked (for classifyFailure). */
export class ProbeError extends Error {
  constructor(
    message: string,
    readonly lines: string[],
  ) {
    super(message);
  }
}

export async function probeVideo(
  input: string,
  opts: { rtspTransport?: 'tcp' | 'udp'; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProbeResult> {
  const args = [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,avg_frame_rate,r_frame_rate,codec_name',
    '-of',
    'json',
  ];
  const demuxer: [string, string][] = /^rtsps?:/i.test(input)
    ? [
        ['rtsp_transport', opts.rtspTransport ?? 'tcp'],
        ['timeout', String((opts.timeoutMs ?? 5000) * 1000)],
      ]
    : [];
  // Credentials never on the command line (ps): the URL comes as an ffconcat list on stdin.
  const viaList = hasCredentials(input) && !/^file:/i.test(input);
  if (viaList) args.push(...concatInputArgs(0));
  else args.push(...demuxer.flatMap(([k, v]) => [`-${k}`, v]), input);
  let stdout: string;
  try {
    ({ stdout } = await run('ffprobe', args, {
      timeout: (opts.timeoutMs ?? 5000) + 2000,
      signal: opts.signal,
      stdin: viaList ? concatList(input, demuxer) : undefined,
    }));
  } catch (err) {
    const e = err as { stderr?: string; message: string; killed?: boolean };
    const lines = maskUrl(e.stderr || (e.killed ? 'ffprobe timed out' : e.message))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    throw new ProbeError(`ffprobe failed on ${maskUrl(input)}: ${lines.at(-1) ?? ''}`, lines);
  }
  const stream = (JSON.parse(stdout) as { streams?: Record<string, string | number>[] }).streams?.[0];
  if (!stream) throw new Error(`no video stream in ${maskUrl(input)}`);
  const rate = String(
    stream.avg_frame_rate && stream.avg_frame_rate !== '0/0' ? stream.avg_frame_rate : stream.r_frame_rate,
  );
  const [num, den] = rate.split('/').map(Number);
  return {
    width: Number(stream.width),
    height: Number(stream.height),
    fps: num && den ? num / den : 0,
    codec: String(stream.codec_name),
  };
}
