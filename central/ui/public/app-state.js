// The page's state in one typed store (central/ui/public/store.js); controllers patch it and redraw from it.

import { emptyFilters } from './filters.js';
import { storedLang } from './i18n.js';
import { createStore } from './store.js';

/**
 * @typedef {{
 *   lang: import('./i18n.js').Lang,
 *   me: {name: string, role: string} | undefined,
 *   cameras: any[],
 *   scenes: Map<string, any>,
 *   reviewers: string[] | undefined,
 *   filters: import('./filters.js').Filters,
 *   mode: 'browse' | 'work',
 *   items: any[],
 *   total: number,
 *   selectedId: string | undefined,
 *   current: any,
 *   fresh: Set<string>,
 *   view: 'review' | 'stats' | 'cameras' | 'audit',
 * }} AppState
 * @typedef {ReturnType<typeof createAppStore>} AppStore
 */

export function createAppStore() {
  /** @type {AppState} */
  const initial = {
    lang: storedLang(),
    me: undefined,
    cameras: [],
    scenes: new Map(),
    reviewers: undefined,
    filters: emptyFilters(),
    mode: 'browse',
    items: [],
    total: 0,
    selectedId: undefined,
    current: undefined,
    fresh: new Set(),
    view: 'review',
  };
  return createStore(initial);
}
