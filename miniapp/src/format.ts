import { i18n } from './i18n';

type Unit = 'count' | 'percent' | 'hours' | 'score' | 'intent' | 'value';

/** Formats a metric value with its unit in the current language. */
export function formatValue(value: number | null, unit: string): string {
  const t = i18n.global.t;
  if (value === null) return t('unit.none');
  const rounded = Math.round(value * 100) / 100;
  return t(`unit.${(unit as Unit) ?? 'value'}`, { value: rounded });
}

export const percent = (share: number) => Math.round(Math.max(0, Math.min(1, share)) * 100);

/** Formats a time in the organisation's time zone. */
export function formatTime(iso: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat(i18n.global.locale.value, {
    timeZone,
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}
