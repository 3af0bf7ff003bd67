// Vietnamese plate grammar: car (one and two lines), motorbike, special series, O/0 I/1 0/D D/Đ fix-ups, garbage.
import { describe, expect, it } from 'vitest';
import { compactPlate, parsePlate } from '../../edge/plate/plate-grammar.ts';

describe('parsePlate accepts plates and normalises them', () => {
  it.each([
    // [lines, text, kind, fixups]
    [['30E-586.70'], '30E-586.70', 'car', 0],
    [['30E58670'], '30E-586.70', 'car', 0],
    [['30E', '586.70'], '30E-586.70', 'car', 0],
    [['30E-', '58670'], '30E-586.70', 'car', 0],
    [['51F-1234'], '51F-1234', 'car', 0],
    [['51F', '1234'], '51F-1234', 'car', 0],
    [['29D', '044.88'], '29D-044.88', 'car', 0],
    [['59-X1', '123.45'], '59-X1 123.45', 'motorbike', 0],
    [['29B1', '73767'], '29-B1 737.67', 'motorbike', 0],
    [['59-X1', '1234'], '59-X1 1234', 'motorbike', 0],
    [['29-AA', '123.45'], '29-AA 123.45', 'motorbike', 0],
    [['51LD-123.45'], '51LD-123.45', 'special', 0],
    [['80NG', '123.45'], '80NG-123.45', 'special', 0],
    [['30KT-1234'], '30KT-1234', 'special', 0],
    [['TM-12-34'], 'TM-12-34', 'military', 0],
    // the special series, one line and two
    [['80NN-123.45'], '80NN-123.45', 'special', 0],
    [['80QT', '012.34'], '80QT-012.34', 'special', 0],
    [['30LD', '123.45'], '30LD-123.45', 'special', 0],
    [['29DA-1234'], '29DA-1234', 'special', 0],
    [['80CV-123.45'], '80CV-123.45', 'special', 0],
    [['29HC', '1234'], '29HC-1234', 'special', 0],
    [['41KT', '012.34'], '41KT-012.34', 'special', 0],
    // motorbikes: letter + digit over the serial, and the 4-digit serial
    [['29-D1', '737.67'], '29-D1 737.67', 'motorbike', 0],
    [['51-F2', '4078'], '51-F2 4078', 'motorbike', 0],
    // one-line car plates with 4 digits (old) and the two-line 4-digit form
    [['29A-1234'], '29A-1234', 'car', 0],
    // the serial on its own line with no dot is the same plate
    [['30G', '42010'], '30G-420.10', 'car', 0],
    [['  30e - 586.70 '], '30E-586.70', 'car', 0],
  ] as const)('%j -> %s (%s)', (lines, text, kind, fixups) => {
    const r = parsePlate(lines);
    expect(r).toEqual({ ok: true, text, compact: compactPlate(text), kind, fixups });
  });
});

describe('fix-ups only where the grammar demands them', () => {
  it.each([
    // O and I in digit places become 0 and 1
    [['3OE-586.7O'], '30E-586.70', 2],
    [['30E', '5I6.70'], '30E-516.70', 1],
    [['I9-B1', '737.67'], '19-B1 737.67', 1],
    // 0 as the series letter can only be D
    [['290', '044.88'], '29D-044.88', 1],
    // Đ: the OCR writes D; the special series TĐ and the electric motorbike series MĐ get it back
    [['29TD-123.45'], '29TĐ-123.45', 1],
    [['29MD1', '123.45'], '29-MĐ1 123.45', 1],
    [['29MĐ1', '123.45'], '29-MĐ1 123.45', 0], // Đ given is no fix-up
    // a plain D series stays D
    [['30D-123.45'], '30D-123.45', 0],
    // Đ given (a corrected read, or a reviewer's input) is the same plate
    [['29TĐ-123.45'], '29TĐ-123.45', 0],
    // O and I on the bottom line of a two-line plate, and in the province
    [['3OG', '4201O'], '30G-420.10', 2],
    [['5IF-737.0I'], '51F-737.01', 2],
  ] as const)('%j -> %s with %i fix-ups', (lines, text, fixups) => {
    const r = parsePlate(lines);
    expect(r.ok && { text: r.text, fixups: r.fixups }).toEqual({ text, fixups });
  });

  it.each([
    // I, J, O, Q and W are never series letters: no fix turns them into one
    [['30I-586.70']],
    [['30J-586.70']],
    [['30O-586.70']],
    [['30Q-586.70']],
    [['30W-586.70']],
    // a letter where a digit belongs (not O or I) is not guessed
    [['30E-586.7B']],
    [['3BE-586.70']],
  ] as const)('%j is rejected', (lines) => {
    expect(parsePlate(lines).ok).toBe(false);
  });
});

describe('garbage and degenerate input is rejected', () => {
  it.each([
    [[]],
    [['']],
    [['   ']],
    [['-.-']],
    [['MAI LINH']],
    [['MPE']],
    [['30E']],
    [['586.70']],
    [['30E-586']], // 3 digits
    [['30E-586.7000']], // 6 digits
    [['05E-586.70']], // province under 11
    [['30E', '586', '70']], // three lines
    [['59X112345']], // a motorbike series on one line
    [['59X1', '12']],
    [['59', 'X1', '12345']],
    [['30EE-586.70']], // two ordinary letters on one line are no special series
    [['30E-586.70', 'XX']],
    [['30E-58６.70']], // a non-ASCII digit
    [['1234567890123']],
    [['A30E', '509.57']], // an emblem glued to the top line is no province
    [['30', '509.57']], // the series lost
    [['30E-509.5Y']], // a letter in the serial
    [['30G-2010.']], // a dot with 4 digits is a digit lost
    [['E30-586.70']], // letters and digits swapped
  ] as const)('%j', (lines) => {
    const r = parsePlate(lines);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
  });
});

describe('the vehicle decides which kinds of plate it can carry', () => {
  it.each([
    // [lines, detector label, text or undefined]
    [['30E7', '58670'], 'car', undefined], // a bolt read as 7: no car has a motorbike series
    [['30E7', '58670'], 'motorcycle', '30-E7 586.70'],
    [['59-X1', '123.45'], 'bus', undefined],
    [['30E-586.70'], 'motorcycle', undefined],
    [['30E-586.70'], 'truck', '30E-586.70'],
    [['51LD-123.45'], 'car', '51LD-123.45'],
    [['29MD1', '123.45'], 'motorcycle', '29-MĐ1 123.45'],
    [['TM-12-34'], 'motorcycle', 'TM-12-34'],
    [['59-X1', '123.45'], undefined, '59-X1 123.45'], // no label: every kind
  ] as const)('%j on a %s -> %s', (lines, label, text) => {
    const r = parsePlate(lines, label);
    expect(r.ok ? r.text : undefined).toBe(text);
    if (!r.ok) expect(r.reason).toMatch(new RegExp(`not one a ${label} carries`));
  });
});

describe('compactPlate (the search form)', () => {
  it.each([
    ['30E-586.70', '30E58670'],
    ['30e 586 70', '30E58670'],
    ['59-X1 123.45', '59X112345'],
    ['29-MĐ1 123.45', '29MD112345'],
    ['', ''],
    ['--..', ''],
  ])('%j -> %j', (text, compact) => {
    expect(compactPlate(text)).toBe(compact);
  });
});
