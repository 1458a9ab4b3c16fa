// Vendored from packages/storage/src/sqlite/table-rows.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// A select's rows, decoded by the schema's own columns without Drizzle's generic per-row walk.
import type { Column, SQLWrapper } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";

// Drizzle maps each cell through a generic walk (an `is()` class check and a path iterator per cell): for the 200
// rows of Raycast's list that cost 2.5x SQLite's own read of them (issue 25). The rule — each column's
// mapFromDriverValue — stays the schema's; only the walk is skipped.
const entriesOf = new WeakMap<object, ReadonlyArray<readonly [string, Column]>>();

function entries(selection: Readonly<Record<string, Column>>): ReadonlyArray<readonly [string, Column]> {
  let cols = entriesOf.get(selection);
  if (!cols) {
    cols = Object.entries(selection);
    entriesOf.set(selection, cols);
  }
  return cols;
}

/**
 * The rows of `query` — a select of `selection`'s columns in its order (what `db.select(selection)` selects, or
 * `db.select()` for `getTableColumns(table)`) — as objects keyed like `selection`. Both SQLite drivers hand back
 * arrays in select order through `values`. Pass the same selection object each time: its column list is kept.
 */
export async function selectedRows<R>(
  db: StoreDb,
  selection: Readonly<Record<string, Column>>,
  query: SQLWrapper,
): Promise<R[]> {
  const cols = entries(selection);
  const raw = (await db.values(query)) as unknown[][];
  return raw.map((r) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < cols.length; i++) {
      const [key, column] = cols[i] as readonly [string, Column];
      const value = r[i];
      row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return row as R;
  });
}
