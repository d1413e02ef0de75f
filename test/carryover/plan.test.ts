import { describe, expect, it } from 'vitest';
import type { CatalogColumn, CatalogTable } from '../../src/carryover/catalog.js';
import { foreignKeyOrder, planCarryOver } from '../../src/carryover/plan.js';

const column = (name: string, more: Partial<CatalogColumn> = {}): CatalogColumn => ({
  name,
  type: 'text',
  notNull: false,
  hasDefault: false,
  generated: false,
  identity: '',
  ...more,
});
const table = (
  name: string,
  columns: CatalogColumn[],
  primaryKey = ['id'],
  references: string[] = [],
): CatalogTable => ({
  name,
  columns,
  primaryKey,
  references,
});
const id = column('id', { type: 'integer', notNull: true });

describe('planCarryOver: which live rows can go into the restored schema (pure)', () => {
  it('puts referenced tables first, whatever their names, and ignores a self-reference', () => {
    expect(
      foreignKeyOrder([
        { name: 'a.comments', references: ['z.posts', 'a.comments'] },
        { name: 'z.posts', references: ['m.authors'] },
        { name: 'm.authors', references: [] },
      ]),
    ).toEqual(['m.authors', 'z.posts', 'a.comments']);
  });

  it('keeps the tables of a cycle, after the others', () => {
    expect(
      foreignKeyOrder([
        { name: 'x', references: ['y'] },
        { name: 'y', references: ['x'] },
        { name: 'a', references: [] },
      ]),
    ).toEqual(['a', 'x', 'y']);
  });

  it('carries shared columns, leaves out generated ones, and names the live-only ones', () => {
    const [plan] = planCarryOver(
      [table('public.t', [id, column('kept'), column('added later')])],
      [table('public.t', [id, column('kept'), column('computed', { generated: true }), column('gone')])],
    );
    expect(plan).toMatchObject({
      kind: 'carry',
      key: ['id'],
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'kept', type: 'text' },
      ],
      liveOnly: ['added later'],
      blocked: null,
      overriding: false,
    });
  });

  it('blocks a table whose restored schema needs a value the live rows lack', () => {
    const [plan] = planCarryOver(
      [table('public.t', [id])],
      [
        table('public.t', [
          id,
          column('must', { notNull: true }),
          column('defaulted', { notNull: true, hasDefault: true }),
        ]),
      ],
    );
    expect(plan).toMatchObject({
      kind: 'carry',
      blocked: 'column must is NOT NULL with no default in the restored schema',
    });
  });

  it('needs OVERRIDING SYSTEM VALUE for a GENERATED ALWAYS identity', () => {
    const always = column('id', { type: 'bigint', notNull: true, identity: 'a' });
    const [plan] = planCarryOver([table('public.t', [always])], [table('public.t', [always])]);
    expect(plan).toMatchObject({ kind: 'carry', overriding: true });
  });

  it('compares whole rows where there is no key to compare by, and leaves over a table the dump lacks', () => {
    const plans = planCarryOver(
      [table('public.logs', [column('line')], []), table('public.new', [id]), table('public.k', [column('code')])],
      [table('public.logs', [column('line')], []), table('public.k', [column('code2')], ['code2'])],
    );
    expect(plans.map((p) => [p.table, p.kind, 'reason' in p ? p.reason : null])).toEqual([
      ['public.k', 'keyless', 'primary key column code2 not in the live table'],
      ['public.logs', 'keyless', 'no primary key in the restored schema'],
      ['public.new', 'absent', 'table not in the restored schema'],
    ]);
  });
});
