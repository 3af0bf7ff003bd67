// JSON calls to the central API with the session cookie; failures become ApiError carrying the HTTP status.

export class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
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
    const text = await res.text();
    try {
      message = JSON.parse(text).message ?? message;
    } catch (err) {
      // Not JSON (a proxy's HTML error page): the status text says enough.
      console.debug('non-JSON error body', err);
    }
    throw new ApiError(res.status, message);
  }
  if (res.status === 204) return undefined;
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') ? res.json() : undefined;
}
