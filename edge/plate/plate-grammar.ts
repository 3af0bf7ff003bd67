// The Vietnamese licence-plate grammar (Thông tư 24/2023/TT-BCA, Circular 58/2020 before it): normalises OCR lines
// to a plate or rejects them (pure).

import type { PlateKind } from '../../contract/index.ts';

export type { PlateKind };

export type PlateParse =
  | {
      ok: true;
      /** Display form: `30E-586.70`, `51LD-123.45`, `59-X1 123.45`, `TM-12-34`. */
      text: string;
      /** Letters and digits only, Đ as D: the form search compares (see compactPlate). */
      compact: string;
      kind: PlateKind;
      /** Characters changed to satisfy the grammar (O->0, I->1 in digit places, 0->D as the series letter, D->Đ in MĐ / TĐ). */
      fixups: number;
    }
  | { ok: false; reason: string };

/** Series letters: the Latin capitals without I, J, O, Q and W, which the series never use (look-alikes of 1 and 0). */
export const SERIES_LETTERS = 'ABCDEFGHKLMNPRSTUVXYZ';

/**
 * Two-letter car series of special registrations: LD foreign-invested firms, DA foreign projects, KT army
 * economic units, NG diplomatic, NN foreigners, QT international bodies, CV administrative staff of missions,
 * HC restricted range, TĐ locally assembled machines, plus MĐ (electric motorbikes, with a digit: motorbike form).
 * Đ is written D by the OCR (its character list has no Đ), so TD and MD map back to TĐ and MĐ.
 */
export const SPECIAL_SERIES = ['LD', 'DA', 'KT', 'NG', 'NN', 'QT', 'CV', 'HC', 'TĐ'] as const;
const D_TO_DD: Record<string, string> = { TD: 'TĐ', MD: 'MĐ' };

/** Province codes run 11..99 (10 and under are unused). */
const PROVINCE_MIN = 11;

/** Letters and digits only, Đ as D, upper case: `30e-586.70` and `30E58670` compare equal. */
export function compactPlate(text: string): string {
  return text
    .toUpperCase()
    .replace(/Đ/g, 'D')
    .replace(/[^A-Z0-9]/g, '');
}

/** A digit where the grammar demands one: O and I are the OCR's look-alikes of 0 and 1. */
function digitAt(s: string, i: number, fix: { n: number }): string | undefined {
  const c = s[i];
  if (c === undefined) return undefined;
  if (c >= '0' && c <= '9') return c;
  if (c === 'O') {
    fix.n++;
    return '0';
  }
  if (c === 'I') {
    fix.n++;
    return '1';
  }
  return undefined;
}

function digits(s: string, from: number, count: number, fix: { n: number }): string | undefined {
  let out = '';
  for (let i = from; i < from + count; i++) {
    const d = digitAt(s, i, fix);
    if (d === undefined) return undefined;
    out += d;
  }
  return out;
}

const isSeries = (c: string | undefined) => c !== undefined && SERIES_LETTERS.includes(c);
const serial = (n: string) => (n.length === 5 ? `${n.slice(0, 3)}.${n.slice(3)}` : n);

interface Head {
  province: string;
  series: string;
  kind: PlateKind;
  /** Index in the joined string where the number starts. */
  end: number;
}

/**
 * Province + series at the start of the joined string. `topLength` is the top line's length on a two-line plate
 * (it tells a car's `51D` from a motorbike's `51D1`); a one-line plate is a car, a special series or nothing.
 */
function parseHead(s: string, topLength: number | undefined, fix: { n: number }): Head | undefined {
  const province = digits(s, 0, 2, fix);
  if (!province || Number(province) < PROVINCE_MIN) return undefined;
  // The series letter: a 0 there can only be D (O is no series letter; the OCR reads D's straight back as 0).
  let a = s[2];
  if (a === '0') {
    a = 'D';
    fix.n++;
  }
  // Đ as read (a corrected plate) or as D (the OCR): the pair is compared in D, and restoring Đ counts as a fix-up
  // only when the input had D.
  const given = s[3];
  const b = given === 'Đ' ? 'D' : given;
  const pair = `${a}${b ?? ''}`;
  const mapped = D_TO_DD[pair] ?? pair;
  const special = (SPECIAL_SERIES as readonly string[]).includes(mapped);
  // Q is never a series letter except in QT (international bodies).
  if (!isSeries(a) && !(special && a === 'Q')) return undefined;
  const restored = mapped !== pair && given !== 'Đ';
  if (topLength === undefined) {
    if (!isSeries(b)) return { province, series: a!, kind: 'car', end: 3 };
    if (!special) return undefined;
    if (restored) fix.n++;
    return { province, series: mapped, kind: 'special', end: 4 };
  }
  if (topLength === 3) return { province, series: a!, kind: 'car', end: 3 };
  if (topLength === 4 && isSeries(b)) {
    if (restored) fix.n++;
    if (special) return { province, series: mapped, kind: 'special', end: 4 };
    // Two letters starting with A on a two-line plate: a motorbike under 50 cc (AA, AB, ...).
    if (a !== 'A') return undefined;
    return { province, series: pair, kind: 'motorbike', end: 4 };
  }
  // Letter + digit: a motorbike series (X1); the digit runs 1..9.
  if (topLength === 4 && b !== undefined && b >= '1' && b <= '9')
    return { province, series: pair, kind: 'motorbike', end: 4 };
  // Electric motorbike: MĐ + digit.
  if (topLength === 5 && pair === 'MD') {
    const k = digitAt(s, 4, fix);
    if (k === undefined || k === '0') return undefined;
    if (given !== 'Đ') fix.n++;
    return { province, series: `MĐ${k}`, kind: 'motorbike', end: 5 };
  }
  return undefined;
}

/** Detector labels of two-wheelers: their plates are motorbike (or army) plates, never a car's. */
const TWO_WHEELERS = ['motorcycle', 'motorbike', 'bicycle'];

/**
 * The plate kinds a vehicle of this detector label can carry (all kinds for an unknown label): a car's `30E7`
 * over `586.70` is a misread, not a motorbike series.
 */
export function kindsForVehicle(label: string | undefined): readonly PlateKind[] {
  if (label === undefined) return ['car', 'special', 'motorbike', 'military'];
  return TWO_WHEELERS.includes(label) ? ['motorbike', 'military'] : ['car', 'special', 'military'];
}

/**
 * Parses OCR lines, top to bottom (one or two; separators and spaces ignored). Only the grammar's digit places
 * get the O/I fix-ups; anything that does not fit exactly is rejected, never guessed. `vehicle` (a detector
 * label) rejects plates of a kind that vehicle cannot carry.
 */
export function parsePlate(lines: readonly string[], vehicle?: string): PlateParse {
  const r = parseAnyPlate(lines);
  const kinds = kindsForVehicle(vehicle);
  if (r.ok && !kinds.includes(r.kind))
    return { ok: false, reason: `'${r.text}' is a ${r.kind} plate, not one a ${vehicle} carries` };
  return r;
}

function parseAnyPlate(lines: readonly string[]): PlateParse {
  const clean = lines.map((l) => l.toUpperCase().replace(/[\s.\-·]/g, '')).filter((l) => l.length > 0);
  if (clean.length === 0) return { ok: false, reason: 'no text' };
  if (clean.length > 2) return { ok: false, reason: `${clean.length} lines (a plate has one or two)` };
  if (clean.some((l) => !/^[A-Z0-9Đ]+$/.test(l)))
    return { ok: false, reason: 'characters outside the plate alphabet' };
  const fix = { n: 0 };
  const joined = clean.join('');
  const military = parseMilitary(clean, fix);
  if (military) return military;
  const topLength = clean.length === 2 ? clean[0]!.length : undefined;
  const head = parseHead(joined, topLength, fix);
  if (!head)
    return {
      ok: false,
      reason: `'${clean.join(' / ')}' does not start with a province code and a series`,
    };
  const number = digits(joined, head.end, joined.length - head.end, fix);
  if (!number || (number.length !== 4 && number.length !== 5))
    return { ok: false, reason: `'${joined.slice(head.end)}' is not a 4- or 5-digit number` };
  // The dot is printed only in the 5-digit serial (NNN.NN): a dot with 4 digits is a digit lost, not an old plate.
  if (number.length === 4 && lines.some((l) => l.includes('.')))
    return {
      ok: false,
      reason: `'${joined.slice(head.end)}' has a dot but 4 digits (the dot only splits 5)`,
    };
  const text =
    head.kind === 'motorbike'
      ? `${head.province}-${head.series} ${serial(number)}`
      : `${head.province}${head.series}-${serial(number)}`;
  return { ok: true, text, compact: compactPlate(text), kind: head.kind, fixups: fix.n };
}

/** Army plates: two letters, then two pairs of digits on one line (`TM-12-34`); no province. */
function parseMilitary(clean: string[], fix: { n: number }): PlateParse | undefined {
  if (clean.length !== 1 || clean[0]!.length !== 6) return undefined;
  const s = clean[0]!;
  if (!/^[A-Z]{2}/.test(s)) return undefined;
  const n = digits(s, 2, 4, fix);
  if (!n) return undefined;
  const text = `${s.slice(0, 2)}-${n.slice(0, 2)}-${n.slice(2)}`;
  return { ok: true, text, compact: compactPlate(text), kind: 'military', fixups: fix.n };
}
