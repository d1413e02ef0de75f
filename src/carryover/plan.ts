import type { Catalog, CatalogTable } from './catalog.js';

/** A restored column that carried rows fill from the live column of the same name. */
export interface CarryColumn {
  name: string;
  /** The restored column's type: the staged text is cast to it. */
  type: string;
}

interface Staged {
  /** The live table (its rows are staged, every column as text). */
  table: string;
  live: CatalogTable;
}

/**
 * What happens to the rows the live database holds and the dump does not, per live table:
 *  - carry: the restored table has a primary key the live one shares: rows are told apart by it
 *    (inserted, updated, deleted since the dump) and the inserted ones carried, unless `blocked`;
 *  - keyless: no key to tell rows apart by: the live rows the restored table lacks (as whole rows over
 *    the shared columns) are left over, the restored rows the live one lacks are counted deleted;
 *  - absent: the restored schema has no such table: every live row is left over.
 */
export type TablePlan =
  | (Staged & {
      kind: 'carry';
      key: string[];
      columns: CarryColumn[];
      /** Live columns the restored table lacks: their values in carried rows go to the leftovers. */
      liveOnly: string[];
      /** Why no inserted row of this table fits the restored schema, or null. */
      blocked: string | null;
      /** A restored GENERATED ALWAYS identity column is filled: the insert needs OVERRIDING SYSTEM VALUE. */
      overriding: boolean;
    })
  | (Staged & { kind: 'keyless'; shared: string[]; reason: string })
  | (Staged & { kind: 'absent'; reason: string });

/**
 * Decides, from the catalogs of the live database and of the restored copy alone, how each live table's
 * rows are compared and which may be carried; carry tables come in foreign-key order (a referenced table
 * before the tables that reference it), so that a carried row finds the carried row it points to.
 */
export function planCarryOver(live: Catalog, restored: Catalog): TablePlan[] {
  const restoredByName = new Map(restored.map((t) => [t.name, t]));
  const plans = live.map((table) => planTable(table, restoredByName.get(table.name)));
  const order = foreignKeyOrder(restored);
  const rank = new Map(order.map((name, i) => [name, i]));
  return plans.sort(
    (a, b) =>
      (rank.get(a.table) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b.table) ?? Number.MAX_SAFE_INTEGER) ||
      a.table.localeCompare(b.table),
  );
}

function planTable(live: CatalogTable, restored: CatalogTable | undefined): TablePlan {
  const table = live.name;
  if (!restored) return { kind: 'absent', table, live, reason: 'table not in the restored schema' };
  const liveColumns = new Map(live.columns.map((c) => [c.name, c]));
  const shared = restored.columns.filter((c) => liveColumns.has(c.name)).map((c) => c.name);
  if (restored.primaryKey.length === 0)
    return { kind: 'keyless', table, live, shared, reason: 'no primary key in the restored schema' };
  const keyMissing = restored.primaryKey.filter((k) => !liveColumns.has(k));
  if (keyMissing.length > 0)
    return {
      kind: 'keyless',
      table,
      live,
      shared,
      reason: `primary key column ${keyMissing.join(', ')} not in the live table`,
    };
  const columns = restored.columns.filter((c) => liveColumns.has(c.name) && !c.generated);
  const unfilled = restored.columns.filter(
    (c) => !liveColumns.has(c.name) && c.notNull && !c.hasDefault && !c.generated && c.identity === '',
  );
  const restoredNames = new Set(restored.columns.map((c) => c.name));
  return {
    kind: 'carry',
    table,
    live,
    key: restored.primaryKey,
    columns: columns.map((c) => ({ name: c.name, type: c.type })),
    liveOnly: live.columns.filter((c) => !restoredNames.has(c.name) && !c.generated).map((c) => c.name),
    blocked: unfilled.length
      ? `column ${unfilled.map((c) => c.name).join(', ')} is NOT NULL with no default in the restored schema`
      : null,
    overriding: columns.some((c) => c.identity === 'a'),
  };
}

/**
 * Table names so that each comes after the tables it references (Kahn's algorithm); a reference to
 * itself is no constraint, and the tables of a cycle follow the rest by name (their rows may then be
 * left over for a foreign key the row-by-row carry reports).
 */
export function foreignKeyOrder(tables: ReadonlyArray<Pick<CatalogTable, 'name' | 'references'>>): string[] {
  const names = new Set(tables.map((t) => t.name));
  const waitingOn = new Map(
    tables.map((t) => [t.name, new Set(t.references.filter((r) => r !== t.name && names.has(r)))]),
  );
  const order: string[] = [];
  for (;;) {
    const ready = [...waitingOn].filter(([, deps]) => deps.size === 0).map(([name]) => name);
    if (ready.length === 0) break;
    for (const name of ready.sort()) {
      order.push(name);
      waitingOn.delete(name);
    }
    for (const deps of waitingOn.values()) for (const name of ready) deps.delete(name);
  }
  return [...order, ...[...waitingOn.keys()].sort()];
}
