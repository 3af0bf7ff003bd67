// Types of plate-view.js for the TypeScript unit tests (the browser loads the .js directly).
export declare function compactPlate(s: string): string;
export declare function plateMatches(
  inc: { plate?: { text: string | null; machine?: { text: string | null } } | null },
  q: string,
): boolean;
export declare function plateSection(inc: unknown, ctx: unknown): HTMLElement;
