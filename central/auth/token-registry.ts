// API tokens from the config, looked up by their SHA-256 so comparing a guess leaks no timing about real tokens.
import { createHash } from 'node:crypto';
import type { Role } from '../config/schema.ts';

export interface Principal {
  name: string;
  role: Role;
}

export interface TokenEntry extends Principal {
  token: string;
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export class TokenRegistry {
  private readonly byDigest = new Map<string, Principal>();

  constructor(tokens: readonly TokenEntry[]) {
    for (const t of tokens) this.byDigest.set(digest(t.token), { name: t.name, role: t.role });
  }

  /** The principal holding this token, or undefined for an unknown or empty token. */
  lookup(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    return this.byDigest.get(digest(token));
  }

  get size(): number {
    return this.byDigest.size;
  }
}
