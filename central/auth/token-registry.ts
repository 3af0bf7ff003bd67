// API tokens from the config, looked up by their SHA-256 so comparing a guess leaks no timing about real tokens.
import { createHash } from 'node:crypto';
import type { CentralConfig, Role } from '../config/schema.ts';

export interface Principal {
  name: string;
  role: Role;
  /** Edge boxes only: the one site the box may upload evidence and report for. */
  site?: string;
}

export interface TokenEntry extends Principal {
  token: string;
}

/** SHA-256 hex of a token: what sessions remember instead of the token. */
export const tokenDigest = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

export class TokenRegistry {
  private readonly byDigest = new Map<string, Principal>();

  constructor(tokens: readonly TokenEntry[]) {
    for (const { token, ...principal } of tokens) this.byDigest.set(tokenDigest(token), principal);
  }

  /** People's tokens (auth.tokens) and one edge token per box, scoped to the box's site. */
  static fromConfig(config: Pick<CentralConfig, 'auth' | 'edges'>): TokenRegistry {
    return new TokenRegistry([
      ...config.auth.tokens,
      ...config.edges.map((e) => ({ name: e.name, role: 'edge' as const, site: e.site, token: e.token })),
    ]);
  }

  /** The principal holding this token, or undefined for an unknown or empty token. */
  lookup(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    return this.byDigest.get(tokenDigest(token));
  }

  /** The principal of a token digest (a session's), while that token is still configured. */
  lookupDigest(digest: string): Principal | undefined {
    return this.byDigest.get(digest);
  }

  get size(): number {
    return this.byDigest.size;
  }
}
