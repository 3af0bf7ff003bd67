// Tiny DOM builders: elements from tag, attributes and children, text always as text (never parsed as HTML).

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @typedef {Record<string, string | number | boolean | undefined | null | EventListener>} Attrs
 * @typedef {Node | string | number | null | undefined | false} Child
 */

/** @param {Element} el @param {Attrs} attrs */
function apply(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
}

/** @param {Element} el @param {Child[]} children */
function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** An HTML element. @param {string} tag @param {Attrs} [attrs] @param {...(Child | Child[])} children */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, /** @type {Child[]} */ (children.flat()));
  return el;
}

/** An SVG element. @param {string} tag @param {Attrs} [attrs] @param {...(Child | Child[])} children */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, /** @type {Child[]} */ (children.flat()));
  return el;
}
