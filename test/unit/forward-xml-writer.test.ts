// The XML writer: whatever text goes in, a real parser (xmllint) reads the same text back (minus the characters
// XML 1.0 cannot carry), and invalid names are refused.
import { describe, expect, it } from 'vitest';
import { el, escapeXmlAttr, escapeXmlText, renderXml } from '../../central/forward/xml-writer.ts';
import { xpathString } from '../helpers/forward-validators.ts';

const TEXTS: Array<[string, string, string]> = [
  // name, input, what a parser must read back
  ['plain', 'Vượt đèn đỏ', 'Vượt đèn đỏ'],
  ['markup', '<b>& "quoted" \'single\'</b>', '<b>& "quoted" \'single\'</b>'],
  ['CDATA end', 'a]]>b', 'a]]>b'],
  ['entity lookalike', '&amp; &lt;', '&amp; &lt;'],
  ['NUL and C0 controls dropped', 'a\u0000b\u0007c\u001Fd', 'abcd'],
  ['tab and newline kept', 'a\tb\nc', 'a\tb\nc'],
  ['lone surrogate dropped', 'x\uD800y', 'xy'],
  ['U+FFFE dropped', 'x\uFFFEy', 'xy'],
  ['astral kept', 'cháy 🔥', 'cháy 🔥'],
  ['empty', '', ''],
];

describe('xml writer', () => {
  it.each(TEXTS)('element text: %s', (_name, input, expected) => {
    const doc = renderXml(el('root', [el('t', input)]));
    expect(xpathString(doc, '/root/t')).toBe(expected);
  });

  it.each(TEXTS)('attribute value: %s', (_name, input, expected) => {
    const doc = renderXml(el('root', [], { a: input }));
    expect(xpathString(doc, '/root/@a')).toBe(expected);
  });

  it.each([
    ['text', escapeXmlText('<&>'), '&lt;&amp;&gt;'],
    ['attr', escapeXmlAttr(`"'\n`), '&quot;&apos;&#10;'],
  ])('escapes %s', (_n, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it.each(['1abc', 'a b', 'a<b', ''])('refuses the element name %j', (name) => {
    expect(() => renderXml(el(name, 'x'))).toThrow(/MATTHAN_ERR_XML/);
  });

  it('writes a declaration, drops undefined children and self-closes empty elements', () => {
    const doc = renderXml(el('a', [el('b', 'x'), undefined, el('c', [])], { xmlns: 'urn:x' }));
    expect(doc).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<a xmlns="urn:x">\n  <b>x</b>\n  <c/>\n</a>\n');
  });
});
