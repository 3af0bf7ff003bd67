// Types of view-status.js for the TypeScript unit tests (the browser loads the .js directly).
export declare function describeView(
  view: unknown,
  t: (key: string, params?: Record<string, string | number>) => string,
  fmt: { num: (v: number) => string },
): string | undefined;
