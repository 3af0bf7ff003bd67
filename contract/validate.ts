// Runtime validation of wire messages, compiled once; errors name the field path, the value and the reason.
// Every step is bounded, because a payload is hostile until checked: size before parsing, nesting before
// parsing, the first error only (no allErrors), short previews that never recurse into the value.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { type AckMessage, AckSchema } from './ack.ts';
import { EventSchema, type MatthanEvent } from './event.ts';
import { type StatusMessage, StatusSchema } from './status.ts';

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };
/** A decoded payload keeps its text (central stores the raw JSON of each event). */
export type Decoded<T> = { ok: true; value: T; text: string } | { ok: false; errors: string[] };

/** Errors reported per message at most (Ajv stops at the first; this caps anything that reports more). */
export const MAX_REPORTED_ERRORS = 3;
/** Characters per reported error at most. */
export const MAX_ERROR_CHARS = 240;
/** Deepest nesting of arrays/objects accepted: events nest 4 deep ({details: {pathNorm: [[x, y]]}}). */
export const MAX_NESTING_DEPTH = 16;
/** Characters of a value shown in an error. */
const PREVIEW_CHARS = 80;

// allErrors off: Ajv returns at the first failure, so a payload with 5 million bad points costs one error,
// not 5 million formatted ones (issue 17: one such message took central to a 4.8 GB heap).
const ajv = new Ajv({ allErrors: false, strict: false });
const eventValidator = ajv.compile<MatthanEvent>(EventSchema);
const statusValidator = ajv.compile<StatusMessage>(StatusSchema);
const ackValidator = ajv.compile<AckMessage>(AckSchema);

/** Formats Ajv errors as "path: reason (got value)" lines: at most MAX_REPORTED_ERRORS, each bounded. */
export function formatErrors(errors: ErrorObject[] | null | undefined, root: unknown): string[] {
  const list = errors ?? [];
  const lines = list.slice(0, MAX_REPORTED_ERRORS).map((e) => {
    const path = clip(e.instancePath || '/', 100);
    const value = valueAt(root, e.instancePath);
    const extra =
      e.keyword === 'additionalProperties'
        ? ` '${clip(String((e.params as { additionalProperty: string }).additionalProperty), 64)}'`
        : '';
    return clip(`${path}: ${e.message ?? e.keyword}${extra} (got ${preview(value)})`, MAX_ERROR_CHARS);
  });
  if (list.length > MAX_REPORTED_ERRORS) lines.push(`... and ${list.length - MAX_REPORTED_ERRORS} more`);
  return lines;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

function valueAt(root: unknown, pointer: string): unknown {
  if (!pointer) return root;
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * A short JSON-like preview that looks at most a few levels and a few items deep: JSON.stringify of the
 * offending value would walk all of it (a 200,000-deep array overflows the stack, a 30 MB array takes seconds).
 */
export function preview(value: unknown, budget = PREVIEW_CHARS): string {
  const out = previewInto(value, 3, budget + 1);
  return out.length > budget ? `${out.slice(0, budget - 3)}...` : out;
}

function previewInto(value: unknown, depth: number, budget: number): string {
  if (value === undefined) return 'nothing';
  if (value === null || typeof value === 'number' || typeof value === 'boolean')
    return String(JSON.stringify(value) ?? value);
  if (typeof value === 'string')
    return JSON.stringify(value.length > budget ? value.slice(0, budget) : value);
  if (typeof value !== 'object') return typeof value;
  if (Array.isArray(value)) {
    if (depth === 0) return `[...${value.length} items]`;
    let s = '[';
    for (let i = 0; i < value.length; i++) {
      if (s.length >= budget) return `${s}...`;
      s += (i ? ',' : '') + previewInto(value[i], depth - 1, budget - s.length);
    }
    return `${s}]`;
  }
  if (depth === 0) return '{...}';
  let s = '{';
  let first = true;
  for (const key in value) {
    if (s.length >= budget) return `${s}...`;
    const v = (value as Record<string, unknown>)[key];
    s += `${first ? '' : ','}${JSON.stringify(key.slice(0, budget))}:${previewInto(v, depth - 1, budget - s.length)}`;
    first = false;
  }
  return `${s}}`;
}

function run<T>(validator: ValidateFunction<T>, value: unknown): Validation<T> {
  try {
    if (validator(value)) return { ok: true, value };
    return { ok: false, errors: formatErrors(validator.errors, value) };
  } catch (err) {
    // Generated validators do not throw on data, but a bug here must cost one message, never the process.
    return { ok: false, errors: [`/: validation failed (${clip((err as Error).message, 120)})`] };
  }
}

export const validateEvent = (value: unknown): Validation<MatthanEvent> => run(eventValidator, value);
export const validateStatus = (value: unknown): Validation<StatusMessage> => run(statusValidator, value);
export const validateAck = (value: unknown): Validation<AckMessage> => run(ackValidator, value);

/**
 * The offset at which the JSON text nests deeper than maxDepth, or -1. One pass over the bytes; the
 * structural characters are ASCII, so scanning UTF-8 bytes is exact. Strings (and escapes in them) are skipped.
 */
export function nestingExceededAt(payload: Buffer, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < payload.length; i++) {
    const c = payload[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

export interface DecodeLimits {
  /** Largest payload parsed, in bytes; a larger one is refused before any parsing. */
  maxBytes: number;
  /** Deepest nesting accepted (default MAX_NESTING_DEPTH). */
  maxDepth?: number;
  /** Named in the size error, e.g. "ingest.maxMessageBytes". */
  limitName?: string;
}

/**
 * Checks size and nesting, parses and validates a raw MQTT payload; never throws. The cheap checks come
 * first, so a hostile payload costs a length comparison or one byte scan, never a parse.
 */
export function decodePayload<T>(
  payload: Buffer | string,
  validate: (v: unknown) => Validation<T>,
  limits: DecodeLimits,
): Decoded<T> {
  const buf = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (buf.length > limits.maxBytes)
    return {
      ok: false,
      errors: [
        `/: payload is ${buf.length} bytes, above the limit of ${limits.maxBytes}${limits.limitName ? ` (${limits.limitName})` : ''}`,
      ],
    };
  const maxDepth = limits.maxDepth ?? MAX_NESTING_DEPTH;
  const at = nestingExceededAt(buf, maxDepth);
  if (at >= 0)
    return {
      ok: false,
      errors: [`/: payload nests deeper than ${maxDepth} levels (at byte ${at}); events nest 4 deep`],
    };
  const text = buf.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`/: payload is not JSON (${clip((err as Error).message, 120)})`] };
  }
  const v = validate(value);
  return v.ok ? { ok: true, value: v.value, text } : v;
}

/** Parses and validates a raw MQTT payload of any size (trusted callers, tests); never throws. */
export function parsePayload<T>(
  payload: Buffer | string,
  validate: (v: unknown) => Validation<T>,
): Validation<T> {
  const d = decodePayload(payload, validate, { maxBytes: Number.POSITIVE_INFINITY });
  return d.ok ? { ok: true, value: d.value } : d;
}
