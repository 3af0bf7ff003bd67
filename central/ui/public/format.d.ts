// Types of format.js for the TypeScript tests (the browser loads the .js directly).
export declare const validMs: (v: unknown) => v is number;
export declare function formatter(lang: 'vi' | 'en'): {
  dateTime(ms: unknown): string;
  dateTimeFull(ms: unknown): string;
  time(ms: unknown): string;
  num(v: unknown): string;
  pct(v: unknown): string;
  ago(ms: unknown, nowMs: number): string;
  duration(ms: unknown): string;
};
