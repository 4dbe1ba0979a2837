import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Elements that may repeat in a WeCom callback and are read as lists even when single. */
const LIST_ELEMENTS = new Set(['SelectedItem', 'OptionId']);

const parser = new XMLParser({
  ignoreAttributes: true,
  // Values stay strings, because a MsgId has more digits than a double represents exactly.
  parseTagValue: false,
  trimValues: true,
  // Only the five predefined entities can occur, because documents with a DTD are rejected first.
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => LIST_ELEMENTS.has(name),
});

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

/** Tells whether a document declares a DTD, the way to XML entity expansion attacks. */
export function declaresDtd(text: string): boolean {
  return /<!DOCTYPE|<!ENTITY/i.test(text);
}

const ENCRYPT_ELEMENT =
  /<Encrypt>\s*(?:<!\[CDATA\[\s*([A-Za-z0-9+/=]*)\s*\]\]>|([A-Za-z0-9+/=]*))\s*<\/Encrypt>/;

/**
 * Finds the base64 ciphertext of the Encrypt element of a callback envelope without parsing
 * the XML, so that a request is authenticated before any XML parser reads it. Returns
 * undefined when there is no such element.
 */
export function extractEncrypt(text: string): string | undefined {
  const match = ENCRYPT_ELEMENT.exec(text);
  const value = match?.[1] ?? match?.[2];
  return value === '' ? undefined : value;
}

/**
 * Parses a WeCom XML document and returns the children of its `<xml>` root. Rejects a DTD,
 * malformed XML and any other root element with XmlError.
 */
export function parseWecomXml(text: string): XmlObject {
  if (declaresDtd(text)) {
    throw new XmlError('XML with a DOCTYPE or ENTITY declaration is not accepted');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new XmlError(`malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  }
  const document = parser.parse(text) as XmlObject;
  const root = document.xml;
  if (root === undefined || typeof root !== 'object' || Array.isArray(root)) {
    throw new XmlError('the root element must be <xml> with child elements');
  }
  return root;
}

/** Returns the text of a child element, or undefined when it is missing or not plain text. */
export function xmlText(node: XmlObject, name: string): string | undefined {
  const value = node[name];
  return typeof value === 'string' ? value : undefined;
}

function children(node: XmlObject | undefined, name: string): XmlValue[] {
  const value = node?.[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Returns the child elements named `name` that are objects, such as repeated SelectedItem. */
export function xmlObjects(node: XmlObject | undefined, name: string): XmlObject[] {
  return children(node, name).filter(
    (item): item is XmlObject => typeof item === 'object' && !Array.isArray(item),
  );
}

/** Returns the texts of repeated child elements, such as the OptionIds of a SelectedItem. */
export function xmlTexts(node: XmlObject | undefined, name: string): string[] {
  return children(node, name).filter((item): item is string => typeof item === 'string');
}

/** Wraps text in CDATA for an XML document that WeCom reads, splitting any "]]>" in it. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
