// The review page's plate logic: the compact form, matching a live incident against the plate filter, the query.
import { describe, expect, it } from 'vitest';
import { emptyFilters, filtersToQuery, matchesFilters } from '../../central/ui/public/filters.js';
import { compactPlate, plateMatches } from '../../central/ui/public/plate-view.js';
import { compactPlate as serverCompact } from '../../edge/plate/plate-grammar.ts';

const inc = (text: string | null, machine: string | null = text) => ({
  id: 'evt_x_00000001',
  camera: 'cam-01',
  ruleType: 'red_light',
  status: 'open',
  firstTs: 1,
  plate: { text, machine: { text: machine } },
});

describe('compactPlate in the page is the server one', () => {
  it.each(['30E-586.70', '30e 586 70', '59-X1 123.45', '29-MĐ1 123.45', '', '--..', 'đ'])('%j', (s) => {
    expect(compactPlate(s)).toBe(serverCompact(s));
  });
});

describe('plateMatches', () => {
  it.each([
    [inc('30E-586.70'), '30e586', true],
    [inc('30E-586.70'), '586.70', true],
    [inc('30E-586.70'), '30F', false],
    [inc('30E-586.71', '30E-586.70'), '58670', true], // the machine read still finds it
    [inc(null), '30', false], // unreadable
    [{ ...inc(null), plate: null }, '30', false], // no plate
    [inc('30E-586.70'), '', true], // no filter
    [inc('30E-586.70'), '-.', true], // no letter or digit: no filter
  ])('%j ~ %j -> %s', (i, q, ok) => {
    expect(plateMatches(i, q)).toBe(ok);
  });
});

describe('the plate filter', () => {
  it('goes into the query, trimmed, and out when empty', () => {
    expect(filtersToQuery({ ...emptyFilters(), plate: ' 30e586 ' })).toBe('status=open&plate=30e586');
    expect(filtersToQuery({ ...emptyFilters(), plate: '' })).toBe('status=open');
  });

  it('decides whether a live incident joins the filtered queue', () => {
    expect(matchesFilters(inc('30E-586.70'), { ...emptyFilters(), plate: '30E586' })).toBe(true);
    expect(matchesFilters(inc('51G-123.45'), { ...emptyFilters(), plate: '30E586' })).toBe(false);
  });
});
