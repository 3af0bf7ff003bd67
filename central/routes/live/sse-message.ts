// Formats one Server-Sent Events message (HTML Living Standard §9.2.6 "Interpreting an event stream").

/**
 * One SSE message: `event:` line, one `data:` line per line of the JSON payload, blank line terminator.
 * The event name must not contain a newline, or a client would read a second field from it.
 */
export function sseMessage(event: string, data: unknown): string {
  if (/[\r\n]/.test(event)) throw new Error(`SSE event name must be one line; got ${JSON.stringify(event)}`);
  const json = JSON.stringify(data) ?? 'null';
  const lines = json.split(/\r\n|\r|\n/).map((l) => `data: ${l}`);
  return `event: ${event}\n${lines.join('\n')}\n\n`;
}

/** A comment line: ignored by EventSource, but keeps proxies and NAT tables from closing an idle stream. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}
