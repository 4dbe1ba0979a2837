import { Locale as VantLocale } from 'vant';
import enUS from 'vant/es/locale/lang/en-US';
import zhCN from 'vant/es/locale/lang/zh-CN';
import { createI18n } from 'vue-i18n';
import { type AppLocale, messages } from './messages';

const STORAGE_KEY = 'pulse:locale';

function initialLocale(): AppLocale {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored === 'en' ? 'en' : 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages,
});

/** Switches the app's language, Vant's texts and the page's lang attribute. */
export function applyLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
  if (locale === 'en') VantLocale.use('en-US', enUS);
  else VantLocale.use('zh-CN', zhCN);
}

applyLocale(initialLocale());
