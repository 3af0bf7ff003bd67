// The audit log page (#/audit, admins): pages of the hash-chained log and its verification, drawn by audit-view.js.
import { api } from './api.js';
import { renderAudit } from './audit-view.js';

/** @typedef {import('./context.js').Ctx} Ctx */

const AUDIT_PAGE = 100;

/** @param {{root: () => HTMLElement, ctx: () => Ctx, failed: (err: unknown, key: string) => void}} deps */
export function createAuditPage(deps) {
  /** @type {{entries: any[], head: {seq: number, hash: string}} | undefined} */
  let audit;
  /** @type {any} */
  let check;
  let more = false;

  function draw() {
    if (!audit) return;
    renderAudit(deps.root(), audit, check, {
      ...deps.ctx(),
      more,
      onVerify: () => void verify(),
      onMore: () => void load(true),
    });
  }

  async function load(older = false) {
    const before = older && audit?.entries.length ? `&before=${audit.entries.at(-1).seq}` : '';
    try {
      const page = await api(`/api/audit?limit=${AUDIT_PAGE}${before}`);
      audit = older && audit ? { entries: [...audit.entries, ...page.entries], head: page.head } : page;
      more = page.entries.length === AUDIT_PAGE;
    } catch (err) {
      return deps.failed(err, 'audit.loadFailed');
    }
    draw();
  }

  async function verify() {
    try {
      check = await api('/api/audit/verify');
    } catch (err) {
      return deps.failed(err, 'audit.loadFailed');
    }
    draw();
  }

  return { load, draw };
}
