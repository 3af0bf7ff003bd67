// Turns a configured source (media:NAME, relative path, URL) into what ffmpeg opens.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { mediaDir } from '../../models/asset-dirs.ts';

export interface ResolvedSource {
  input: string;
  isFile: boolean;
  isRtsp: boolean;
}

export function resolveSourceUrl(
  url: string,
  dirs: { mediaDir?: string; configDir?: string } = {},
): ResolvedSource {
  if (url.startsWith('media:')) {
    const file = path.join(mediaDir(dirs.mediaDir), url.slice('media:'.length));
    if (!existsSync(file)) throw new Error(`MATTHAN_ERR_SOURCE: media clip not found: ${file}`);
    return { input: file, isFile: true, isRtsp: false };
  }
  if (url.startsWith('file://')) return { input: new URL(url).pathname, isFile: true, isRtsp: false };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    return { input: url, isFile: false, isRtsp: /^rtsps?:/i.test(url) };
  const file = path.resolve(dirs.configDir ?? '.', url);
  return { input: file, isFile: true, isRtsp: false };
}
