// Pure keyboard map of the review page: which key does what, and when keys must be left to a text field.

/** @typedef {'next' | 'previous' | 'confirm' | 'reject' | 'note' | 'play' | 'zoom' | 'blur' | 'undo' | 'help' | 'snapshot'} KeyAction */

/** @type {Record<string, KeyAction>} */
const KEYS = {
  j: 'next',
  k: 'previous',
  c: 'confirm',
  r: 'reject',
  n: 'note',
  z: 'zoom',
  u: 'undo',
  s: 'snapshot',
  '?': 'help',
  ' ': 'play',
};

/**
 * The action for a keydown, or undefined. While typing in a field only Escape (leave the field) counts, so a
 * note containing "c" or "r" never confirms or rejects; modified keys (Ctrl+R reload, Ctrl+C copy) are the
 * browser's (Shift is allowed: "?" is Shift+/ on most layouts).
 * @param {{key: string, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean}} e
 * @param {string} [targetTag] tag name of the focused element
 * @returns {KeyAction | undefined}
 */
export function keyAction(e, targetTag = '') {
  const tag = targetTag.toUpperCase();
  const typing = tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
  if (typing) return e.key === 'Escape' ? 'blur' : undefined;
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  return KEYS[e.key.length === 1 ? e.key.toLowerCase() : e.key];
}
