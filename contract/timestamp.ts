// Wall-clock timestamps on the wire: integer epoch ms inside an absolute range every consumer can render.
import { Type } from '@sinclair/typebox';

/** 2000-01-01T00:00:00Z: no camera of this product took a frame before it; 0 and negatives are garbage. */
export const MIN_TS_MS = 946_684_800_000;
/**
 * 9999-12-31T23:59:59.999Z: the last instant an ISO 8601 / CAP 1.2 dateTime (4-digit year, CAP 1.2 §3.3.2)
 * can carry. JavaScript Dates end at 8.64e15 ms; 1e300 or 9e15 "integers" would pass a bare integer check and
 * then break date formatting in the UI and the forwarders.
 */
export const MAX_TS_MS = 253_402_300_799_999;

/** An event timestamp: epoch ms between MIN_TS_MS and MAX_TS_MS. */
export const TsMs = (description?: string) =>
  Type.Integer({ minimum: MIN_TS_MS, maximum: MAX_TS_MS, ...(description ? { description } : {}) });
