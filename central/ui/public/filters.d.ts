// Types of filters.js for the TypeScript unit tests (the browser loads the .js directly).
export interface Filters {
  camera: string;
  rule: string;
  status: string;
  reviewer: string;
  from: string;
  to: string;
  plate?: string;
}
export interface IncidentLike {
  id: string;
  camera: string;
  ruleType: string;
  status: string;
  firstTs: number;
  reviewedBy?: string | null;
  plate?: { text: string | null; machine?: { text: string | null } } | null;
}
export declare function emptyFilters(): Filters;
export declare function localInputToMs(v: string): number | undefined;
export declare function msToLocalInput(ms: number): string;
export declare function filtersToQuery(
  f: Filters,
  extra?: { limit?: number; offset?: number; status?: string | null; order?: string },
): string;
export declare function matchesFilters(inc: IncidentLike, f: Filters): boolean;
export declare function upsertNewestFirst<T extends IncidentLike>(
  list: T[],
  inc: T,
  order?: 'newest' | 'oldest',
): T[];
