// The second stage per frame: picks the tracks due for a crop classification and feeds the results to the voter.
import type { Frame } from '../ingest/frame.ts';
import type { Track } from '../track/track.ts';
import type { AttributeClassifier, AttributeResult } from './attribute-classifier.ts';
import type { ClassifierConfig } from './classifier-schema.ts';
import { TrackAttributeVoter } from './track-attribute-voter.ts';

export class AttributeStage {
  readonly voter: TrackAttributeVoter;
  /** trackId -> index of the frame it was last classified at. */
  private readonly lastAt = new Map<number, number>();
  private frameIndex = 0;
  /** Crops whose classification threw, and the last message (for logs and metrics). */
  errors = 0;
  lastError: string | undefined;

  constructor(
    private readonly cfg: Pick<ClassifierConfig, 'classes' | 'everyNFrames' | 'minVotes' | 'minScore'>,
    private readonly classifier: AttributeClassifier,
  ) {
    this.voter = new TrackAttributeVoter(cfg.minVotes);
  }

  /**
   * Classifies each confirmed track of a configured class at most once every everyNFrames processed frames
   * (crops one after another: one model session); a crop scoring below minScore casts no vote. Returns the
   * number of crops classified (for metrics).
   */
  async run(frame: Frame, tracks: readonly Track[]): Promise<number> {
    const i = this.frameIndex++;
    let n = 0;
    for (const t of tracks) {
      if (!t.confirmed || !this.cfg.classes.includes(t.label)) continue;
      const last = this.lastAt.get(t.id);
      if (last !== undefined && i - last < this.cfg.everyNFrames) continue;
      this.lastAt.set(t.id, i);
      let r: AttributeResult;
      try {
        r = await this.classifier.classify(frame, t.boxXyxyNorm);
      } catch (err) {
        // A failing crop must not cost the frame its rules: count it, the pipeline reports it.
        this.errors++;
        this.lastError = (err as Error).message;
        continue;
      }
      n++;
      if (r.score >= this.cfg.minScore) this.voter.add(t.id, r.label, frame.tsMs);
    }
    // Bounded memory: forget tracks not classified for a long time.
    const horizon = 50 * this.cfg.everyNFrames;
    for (const [id, at] of this.lastAt) if (i - at > horizon) this.lastAt.delete(id);
    this.voter.sweep(frame.tsMs);
    return n;
  }
}
