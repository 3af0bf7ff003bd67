// Evidence clips fetched once per page and played from memory (object URLs), newest-used kept within a byte budget.
// A <video> pointed at the file itself range-requests it again at every loop and every revisit (a looping 10 s
// clip watched for 5 minutes came to 130 requests); evidence files never change, so one download is enough.

/** Bytes of clips kept in memory; the least recently shown go first (a 10 s 1080p clip is 1-5 MB). */
export const CLIP_CACHE_BYTES = 64 * 1024 * 1024;

/** @type {Map<string, Promise<{url: string, bytes: number}>>} */
const clips = new Map();

/** Bytes of the clips held now (fetches still running count when they finish). */
let held = 0;

/**
 * An object URL of the clip `id` (downloaded from `src` on first use). Rejects with the HTTP status when the
 * download fails, and forgets the failure so a later view tries again.
 * @param {string} id @param {string} src @returns {Promise<string>}
 */
export function clipUrl(id, src) {
  let entry = clips.get(id);
  if (entry) {
    clips.delete(id); // most recently used last
    clips.set(id, entry);
    return entry.then((e) => e.url);
  }
  entry = fetch(src, { credentials: 'same-origin' })
    .then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.blob();
    })
    .then((blob) => {
      held += blob.size;
      evict(id);
      return { url: URL.createObjectURL(blob), bytes: blob.size };
    });
  entry.catch(() => clips.delete(id));
  clips.set(id, entry);
  return entry.then((e) => e.url);
}

/** Drops the least recently used clips (never `keep`) until the held bytes fit the budget. @param {string} keep */
function evict(keep) {
  for (const [id, entry] of clips) {
    if (held <= CLIP_CACHE_BYTES) return;
    if (id === keep) continue;
    clips.delete(id);
    entry.then(
      (e) => {
        held -= e.bytes;
        URL.revokeObjectURL(e.url);
      },
      () => undefined,
    );
  }
}
