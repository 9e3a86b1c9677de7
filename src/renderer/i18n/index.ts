// The UI's words in English and Simplified Chinese, through i18next (react-i18next for React).
// The catalogues are en.ts and zh.ts: one section per part of the UI (shell, palette, cluster,
// tree, …; a view's section is named after it), keys written whole in the code (t('tree.sync'))
// so that test/lint/i18n.test.ts can find every key used and check both catalogues have it.
// The language follows the system's (navigator.languages: the OS locale in Electron, the
// browser's in browser mode) until the person picks one; the choice is kept with the other UI
// settings (`language`: "en", "zh" or "system").
import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import { en } from './en';
import { zh } from './zh';
import { FaultSpec } from '../../shared/net';
import { faultSaid } from '../../shared/said';

export type Language = 'en' | 'zh';
export type LanguageChoice = Language | 'system';
export const LANGUAGES: Language[] = ['en', 'zh'];

/** The system's language, as far as the UI can tell: Chinese for any zh-* locale, else English. */
export function systemLanguage(langs: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]): Language {
  const first = langs.find((l) => /^(en|zh)\b/i.test(l));
  return first && /^zh/i.test(first) ? 'zh' : 'en';
}

export function resolveLanguage(choice: LanguageChoice): Language {
  return choice === 'system' ? systemLanguage() : choice;
}

export const i18n = i18next.createInstance();
// Resources are in the bundle: init is synchronous, so t() works from the first render (and in
// unit tests of modules that use it, in English).
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, zh: { translation: zh } },
  lng: 'en',
  fallbackLng: 'en',
  initAsync: false,
  // React escapes what it renders.
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function setLanguage(choice: LanguageChoice): void {
  void i18n.changeLanguage(resolveLanguage(choice));
}

/** The locale for dates and numbers (Intl): zh-CN or the browser's English one. */
export function locale(): string {
  return i18n.language === 'zh' ? 'zh-CN' : 'en';
}

export const t = i18n.t.bind(i18n);
export { useTranslation };

/**
 * An error for the page, in its language: the catalogue's sentence for an error the backend sent
 * with a code (src/shared/errors.ts), else the error's own message (the backend's English, or a
 * sentence the page made).
 */
export function errorText(e: unknown): string {
  const { code, params } = e as { code?: unknown; params?: Record<string, string | number> };
  if (typeof code === 'string' && i18n.exists(`errors.${code}`)) return i18n.t(`errors.${code}`, params ?? {});
  return e instanceof Error ? e.message : String(e);
}

// Numbers per locale through i18next's formatting: `{{n, number}}` in a sentence (built in), and
// `{{n, mb}}` for a byte count in MB (one decimal under 10 MB, as the backend writes it).
i18n.services.formatter?.add('mb', (value: unknown, lng: string | undefined) => {
  const n = Number(value);
  const digits = n < 10 * 1048576 ? 1 : 0;
  return `${new Intl.NumberFormat(lng === 'zh' ? 'zh-CN' : 'en', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n / 1048576)} MB`;
});

/** A number as the UI's language writes it (grouping, decimals). */
export function num(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale(), options).format(n);
}

interface SaidLike {
  code: string;
  params: Record<string, string | number>;
}
const isSaid = (v: unknown): v is SaidLike => typeof v === 'object' && v !== null && typeof (v as SaidLike).code === 'string' && typeof (v as SaidLike).params === 'object';

/**
 * A sentence the backend sent with a code (src/shared/said.ts) in the page's language; `english`
 * (what the backend wrote) when it came without one, or with one this page does not know.
 */
export function saidText(said: unknown, english: string): string {
  if (!isSaid(said) || !i18n.exists(`said.${said.code}`)) return english;
  return i18n.t(`said.${said.code}`, said.params);
}

/** A fault in force, described in the page's language from its spec. */
export function faultText(f: { spec: FaultSpec; description: string }): string {
  return saidText(faultSaid(f.spec), f.description);
}

/** An event of the lab's history in the page's language (a fault's event names the fault in it too). */
export function eventText(e: { detail: string; data: Record<string, unknown> }): string {
  const s = e.data.said;
  if (!isSaid(s)) return e.detail;
  const spec = FaultSpec.safeParse(e.data.spec);
  if ((s.code === 'faultStarted' || s.code === 'faultHealed') && spec.success) return saidText({ ...s, params: { ...s.params, fault: saidText(faultSaid(spec.data), String(s.params.fault)) } }, e.detail);
  return saidText(s, e.detail);
}

/** A launch or open-dataDir step in the page's language. */
export function progressText(p: { step: string; said?: unknown }): string {
  return saidText(p.said, p.step);
}
