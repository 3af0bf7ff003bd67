// Browser-test helpers: sign in through the login form, and watch a page for console errors and failed requests.
import type { BrowserContext, Page } from 'playwright-core';

export interface PageWatch {
  /** console.error messages and uncaught exceptions, in order. */
  errors: string[];
  /** URL path -> how many times it answered 404. */
  notFound: Map<string, number>;
  /** URL path -> how many times it was requested. */
  requests: Map<string, number>;
}

/** Records console errors, page errors, every request and every 404 of the pages of a context. */
export function watch(context: BrowserContext): PageWatch {
  const w: PageWatch = { errors: [], notFound: new Map(), requests: new Map() };
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const onPage = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') w.errors.push(msg.text());
    });
    page.on('pageerror', (err) => w.errors.push(`pageerror: ${err.message}`));
  };
  for (const p of context.pages()) onPage(p);
  context.on('page', onPage);
  context.on('request', (req) => bump(w.requests, new URL(req.url()).pathname));
  context.on('response', (res) => {
    if (res.status() === 404) bump(w.notFound, new URL(res.url()).pathname);
  });
  return w;
}

/** Opens the page and signs in with a token through the form (the token becomes the session cookie). */
export async function signIn(page: Page, baseUrl: string, token: string, hash = ''): Promise<void> {
  await page.goto(`${baseUrl}/${hash}`);
  await page.locator('#login-token').fill(token);
  await page.locator('#login-form button[type="submit"]').click();
  await page.locator('#shell').waitFor({ state: 'visible' });
}

/** The id of the incident on screen. */
export const shownId = (page: Page) => page.locator('article.incident').getAttribute('data-id');
