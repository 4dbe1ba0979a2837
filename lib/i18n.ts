export type Locale = 'zh-CN' | 'en';

export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** Picks a supported locale from a stored preference such as "en-US" or "zh". */
export function toLocale(value: string | null | undefined): Locale {
  if (value?.toLowerCase().startsWith('en')) return 'en';
  return DEFAULT_LOCALE;
}

type Catalog = Record<string, string>;

/**
 * Fills `{name}` placeholders of a catalog entry. A missing key returns the key itself, so a
 * gap shows on the card instead of failing the send.
 */
export function translate(
  catalogs: Record<Locale, Catalog>,
  locale: Locale,
  key: string,
  values: Record<string, string | number> = {},
): string {
  const template = catalogs[locale][key] ?? catalogs[DEFAULT_LOCALE][key] ?? key;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    values[name] === undefined ? match : String(values[name]),
  );
}
