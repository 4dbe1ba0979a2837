/**
 * PostgreSQL cannot store a NUL character in text or jsonb, and an unpaired UTF-16 surrogate is
 * not valid Unicode, so JSON strings that hold either are found or replaced before storage.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Returns the dotted path of the first string or key that cannot be stored, or undefined. */
export function findUnstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || '(body)' : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableText(item, join(path, index));
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) return join(path, key);
      const found = findUnstorableText(item, join(path, key));
      if (found) return found;
    }
  }
  return undefined;
}

/** Returns a copy of `value` with every unstorable character replaced by U+FFFD. */
export function replaceUnstorableText(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UNSTORABLE_ALL, '\ufffd');
  if (Array.isArray(value)) return value.map(replaceUnstorableText);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key.replace(UNSTORABLE_ALL, '\ufffd'),
        replaceUnstorableText(item),
      ]),
    );
  }
  return value;
}
