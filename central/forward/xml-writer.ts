// A small XML writer: elements, attributes and text with correct escaping, and the characters XML 1.0 forbids removed.

/** An element: text content or child elements (never mixed; CAP has no mixed content). */
export interface XmlElement {
  name: string;
  attrs?: Record<string, string>;
  text?: string;
  children?: XmlElement[];
}

// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// Anything else (NUL, other C0 controls, lone surrogates, U+FFFE/U+FFFF) makes the document not well-formed.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

export function escapeXmlText(value: string): string {
  return value.replace(NOT_XML_CHAR, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); // not required except in "]]>", escaped always for simplicity
}

export function escapeXmlAttr(value: string): string {
  // whitespace as character references so attribute-value normalisation keeps it (XML 1.0 §3.3.3)
  return escapeXmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** Builds an element; `content` is its text, or its children (undefined children are dropped). */
export function el(
  name: string,
  content?: string | Array<XmlElement | undefined>,
  attrs?: Record<string, string>,
): XmlElement {
  if (typeof content === 'string') return { name, attrs, text: content };
  return { name, attrs, children: (content ?? []).filter((c): c is XmlElement => c !== undefined) };
}

function write(e: XmlElement, indent: string, out: string[]): void {
  if (!NAME.test(e.name)) throw new Error(`MATTHAN_ERR_XML: invalid element name ${JSON.stringify(e.name)}`);
  const attrs = Object.entries(e.attrs ?? {})
    .map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9._:-]*$/.test(k))
        throw new Error(`MATTHAN_ERR_XML: invalid attribute name ${JSON.stringify(k)}`);
      return ` ${k}="${escapeXmlAttr(v)}"`;
    })
    .join('');
  if (e.text !== undefined) {
    out.push(`${indent}<${e.name}${attrs}>${escapeXmlText(e.text)}</${e.name}>`);
  } else if (!e.children?.length) {
    out.push(`${indent}<${e.name}${attrs}/>`);
  } else {
    out.push(`${indent}<${e.name}${attrs}>`);
    for (const c of e.children) write(c, `${indent}  `, out);
    out.push(`${indent}</${e.name}>`);
  }
}

/** The document: UTF-8 declaration and the root, indented by two spaces. */
export function renderXml(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  write(root, '', out);
  return `${out.join('\n')}\n`;
}
