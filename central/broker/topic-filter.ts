// MQTT topic filter matching (MQTT 3.1.1 §4.7, MQTT 5 §4.7) for the embedded broker's ACL: pure functions.

/** MQTT 5 §4.8.2: `$share/{group}/{filter}` subscribes to `filter`; ACLs apply to the filter. */
export function withoutSharePrefix(filter: string): string {
  if (!filter.startsWith('$share/')) return filter;
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? '' : rest.slice(slash + 1);
}

/** True when `topic` (no wildcards) matches `filter`; '$' topics never match a filter starting with a wildcard. */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1; // '#' must be last; it also matches the parent level (§4.7.1.2)
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * True when every topic the `requested` subscription filter can match is also matched by `allowed`, i.e. the
 * subscription reads nothing beyond what the ACL grants. `a/+/c` covers `a/b/c` and `a/+/c`, not `a/#`.
 */
export function filterCovers(allowed: string, requested: string): boolean {
  // A filter starting with a wildcard never matches '$' topics (§4.7.2), so it cannot grant them either.
  if (requested.startsWith('$') && (allowed.startsWith('+') || allowed.startsWith('#'))) return false;
  const a = allowed.split('/');
  const r = requested.split('/');
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '#') return i === a.length - 1;
    if (i >= r.length) return false;
    if (r[i] === '#') return false; // only '#' covers '#'
    if (a[i] === '+') continue; // covers any one level, '+' included
    if (r[i] === '+' || a[i] !== r[i]) return false;
  }
  return a.length === r.length;
}
