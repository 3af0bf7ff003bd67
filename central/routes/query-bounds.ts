// Bounded query parameters shared by the list routes: every number has a maximum, so a value like offset=1e30
// (an "integer" to JSON Schema, a float SQLite refuses to bind) is a 400 naming the field, never a 500.
import { Type } from '@sinclair/typebox';
import { MAX_TS_MS } from '../../contract/index.ts';

/** Rows skipped at most: deeper pages are reached with the filters (from/to), not by paging. */
export const MAX_OFFSET = 1_000_000;

export const OffsetQuery = () =>
  Type.Integer({
    minimum: 0,
    maximum: MAX_OFFSET,
    default: 0,
    description: `rows to skip (at most ${MAX_OFFSET})`,
  });

export const LimitQuery = (max = 500, def = 50) =>
  Type.Integer({ minimum: 1, maximum: max, default: def, description: `rows to return (at most ${max})` });

/** An epoch-ms bound of a time filter, within the contract's timestamp range. */
export const EpochMsQuery = (description: string) =>
  Type.Integer({ minimum: 0, maximum: MAX_TS_MS, description: `${description} (epoch ms)` });
