// SHA-256 of each evidence file when its capture finishes, handed to the next messages of its event.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/** Files remembered at once; the oldest are forgotten first (captures that finish after their event ended). */
const MAX_FILES = 10_000;

export class EvidenceDigests {
  private readonly byId = new Map<string, string>();

  /** Hashes the file as written by the capture; the digest is then declared by the event's later messages. */
  async add(evidenceId: string, file: string): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(createReadStream(file), hash);
    const hex = hash.digest('hex');
    this.byId.set(evidenceId, hex);
    while (this.byId.size > MAX_FILES) this.byId.delete(this.byId.keys().next().value as string);
    return hex;
  }

  /** Digests of the event's files captured so far (evidence ids are `{eventId}_{kind}`), or undefined. */
  forEvent(eventId: string): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    for (const [id, hex] of this.byId) if (id.startsWith(`${eventId}_`)) out[id] = hex;
    return Object.keys(out).length > 0 ? out : undefined;
  }

  /** After the event's last message: its digests have been declared. */
  forget(eventId: string): void {
    for (const id of [...this.byId.keys()]) if (id.startsWith(`${eventId}_`)) this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }
}
