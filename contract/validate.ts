// Runtime validation of wire messages, compiled once; errors name the field path, the value and the reason.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { EventSchema, type MatthanEvent } from './event.ts';
import { type StatusMessage, StatusSchema } from './status.ts';

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const ajv = new Ajv({ allErrors: true, strict: false });
const eventValidator = ajv.compile<MatthanEvent>(EventSchema);
const statusValidator = ajv.compile<StatusMessage>(StatusSchema);

/** Formats Ajv errors as "path: reason (value)" lines. */
export function formatErrors(errors: ErrorObject[] | null | undefined, root: unknown): string[] {
  return (errors ?? []).map((e) => {
    const path = e.instancePath || '/';
    const value = valueAt(root, e.instancePath);
    const extra =
      e.keyword === 'additionalProperties'
        ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
        : '';
    return `${path}: ${e.message ?? e.keyword}${extra} (got ${preview(value)})`;
  });
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

function preview(value: unknown): string {
  const s = JSON.stringify(value);
  if (s === undefined) return 'nothing';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function run<T>(validator: ValidateFunction<T>, value: unknown): Validation<T> {
  if (validator(value)) return { ok: true, value };
  return { ok: false, errors: formatErrors(validator.errors, value) };
}

export const validateEvent = (value: unknown): Validation<MatthanEvent> => run(eventValidator, value);
export const validateStatus = (value: unknown): Validation<StatusMessage> => run(statusValidator, value);

/** Parses and validates a raw MQTT payload; never throws. */
export function parsePayload<T>(
  payload: Buffer | string,
  validate: (v: unknown) => Validation<T>,
): Validation<T> {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (err) {
    return { ok: false, errors: [`/: payload is not JSON (${(err as Error).message})`] };
  }
  return validate(value);
}
