// Types of i18n.js for the TypeScript unit tests (the browser loads the .js directly).
export type Lang = 'vi' | 'en';
export declare const LANGS: readonly Lang[];
export declare const DEFAULT_LANG: Lang;
export declare const DICTIONARY: Record<Lang, Record<string, string>>;
export declare function isLang(v: unknown): v is Lang;
export declare function translate(lang: Lang, key: string, params?: Record<string, string | number>): string;
export declare function storedLang(): Lang;
export declare function storeLang(lang: Lang): void;
