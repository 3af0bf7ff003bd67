// Keeps camera credentials out of the process list: a URL with a user or password is not passed to ffmpeg or
// ffprobe as an argument (readable by anyone through ps or /proc/PID/cmdline for the whole run) but as a
// one-entry ffconcat list written to a pipe. The concat demuxer opens the URL with the demuxer options of the
// list ("option" lines, FFmpeg >= 5.0), so RTSP transport and socket timeouts still apply.

/** Protocols the inner URL may use (the list itself comes from a pipe); no `file`, so it cannot name a local file. */
export const HIDDEN_INPUT_PROTOCOLS = 'async,pipe,tcp,udp,rtp,srtp,tls,http,https,httpproxy,crypto,hls';

/** The URL carries a user or password (scheme://userinfo@host...). */
export function hasCredentials(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/\s?#]*@/i.test(url);
}

/**
 * The ffconcat list for one URL and its demuxer options. ffconcat quotes with single quotes (av_get_token):
 * inside them everything is literal, so a quote in the URL is closed, escaped and reopened ('\'').
 */
export function concatList(url: string, demuxerOptions: readonly [string, string][]): string {
  if (/[\r\n\0]/.test(url)) throw new Error('MATTHAN_ERR_SOURCE: a source URL cannot contain line breaks');
  const lines = ['ffconcat version 1.0', `file '${url.replace(/'/g, "'\\''")}'`];
  for (const [k, v] of demuxerOptions) {
    if (!/^[a-z_]+$/.test(k) || !/^[A-Za-z0-9_.+-]+$/.test(v))
      throw new Error(`MATTHAN_ERR_SOURCE: demuxer option ${k}=${v} cannot go into an ffconcat list`);
    lines.push(`option ${k} ${v}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * ffmpeg/ffprobe input arguments that read the list from file descriptor `fd` instead of naming the URL. Through
 * `async:` (a memory buffer, no disk): ffmpeg turns off its stdin commands for any input named "pipe:...", and
 * the polite stop is 'q' on stdin. (Node's extra stdio fds are socket pairs, so /dev/fd/N cannot be opened.)
 */
export function concatInputArgs(fd: number): string[] {
  return [
    '-f',
    'concat',
    '-safe',
    '0',
    '-protocol_whitelist',
    HIDDEN_INPUT_PROTOCOLS,
    '-i',
    `async:pipe:${fd}`,
  ];
}
