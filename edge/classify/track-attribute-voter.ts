// Majority vote per track over the attribute labels its crops were classified as (pure; bounded memory).

export interface AttributeVerdict {
  label: string;
  votes: number;
  total: number;
}

/** Read side used by rules: the current verdict of a track, undefined until there is one. */
export interface AttributeVerdicts {
  verdict(trackId: number): AttributeVerdict | undefined;
}

export class TrackAttributeVoter implements AttributeVerdicts {
  /** trackId -> label -> votes, and the last ms a vote arrived. */
  private readonly votes = new Map<number, { counts: Map<string, number>; lastTs: number }>();

  constructor(
    private readonly minVotes: number,
    private readonly forgetMs = 120_000,
  ) {}

  add(trackId: number, label: string, tsMs: number): void {
    let v = this.votes.get(trackId);
    if (!v) {
      v = { counts: new Map(), lastTs: tsMs };
      this.votes.set(trackId, v);
    }
    v.counts.set(label, (v.counts.get(label) ?? 0) + 1);
    v.lastTs = tsMs;
  }

  /** The label with a strict majority (> half) of at least minVotes votes; a tie or a plurality gives none. */
  verdict(trackId: number): AttributeVerdict | undefined {
    const v = this.votes.get(trackId);
    if (!v) return undefined;
    let total = 0;
    let best: string | undefined;
    let bestVotes = 0;
    for (const [label, n] of v.counts) {
      total += n;
      if (n > bestVotes) {
        best = label;
        bestVotes = n;
      }
    }
    if (best === undefined || total < this.minVotes || bestVotes * 2 <= total) return undefined;
    return { label: best, votes: bestVotes, total };
  }

  /** Drops tracks without a vote for forgetMs. */
  sweep(tsMs: number): void {
    for (const [id, v] of this.votes) if (tsMs - v.lastTs > this.forgetMs) this.votes.delete(id);
  }
}
