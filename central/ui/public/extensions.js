// Plug points for features added by other parts of the product (the licence plate first): sections of the
// incident view and fields of the queue filters, registered at start-up, drawn in order.

/**
 * @typedef {import('./context.js').Ctx} Ctx
 * @typedef {{id: string, order: number, render: (inc: any, ctx: Ctx) => Node | null}} IncidentSection
 *   A block of the incident's side column, e.g. the plate with its crop and a correction form. `inc` is the
 *   GET /api/incidents/:id body; return null to show nothing.
 * @typedef {{id: string, order: number, render: (ctx: Ctx, onChange: (value: string) => void) => Node,
 *   param: string}} FilterField
 *   An extra queue filter (e.g. a plate search box); its value is sent as query parameter `param`.
 */

/** @type {IncidentSection[]} */
const sections = [];
/** @type {FilterField[]} */
const filterFields = [];

/** Adds a section to the incident view (the plate feature registers one with id 'plate'). @param {IncidentSection} s */
export function registerIncidentSection(s) {
  sections.push(s);
  sections.sort((a, b) => a.order - b.order);
}

/** Adds a field to the queue filters. @param {FilterField} f */
export function registerFilterField(f) {
  filterFields.push(f);
  filterFields.sort((a, b) => a.order - b.order);
}

export const incidentSections = () => [...sections];
export const extraFilterFields = () => [...filterFields];
