// JSON calls to the central API with the session cookie; failures become ApiError carrying the status and body.

export class ApiError extends Error {
  /** @param {number} status @param {string} message @param {unknown} [body] */
  constructor(status, message, body) {
    super(message);
    this.status = status;
    /** The parsed JSON error body (e.g. the incident of a 409, the lock holder of a 423). */
    this.body = body;
  }
}

/**
 * @param {string} path @param {{method?: string, body?: unknown}} [opts]
 * @returns {Promise<any>}
 */
export async function api(path, opts = {}) {
  /** @type {RequestInit} */
  const init = { method: opts.method ?? 'GET', credentials: 'same-origin', headers: {} };
  if (opts.body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(opts.body);
  }
  const res = await fetch(path, init);
  if (!res.ok) {
    let message = res.statusText;
    let body;
    const text = await res.text();
    try {
      body = JSON.parse(text);
      message = body.message ?? message;
    } catch (err) {
      // Not JSON (a proxy's HTML error page): the status text says enough.
      console.debug('non-JSON error body', err);
    }
    throw new ApiError(res.status, message, body);
  }
  if (res.status === 204) return undefined;
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') ? res.json() : undefined;
}
