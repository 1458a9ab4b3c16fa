// A whole-table select's rows, decoded by the schema's own columns without Drizzle's generic per-row walk.
import { type Column, getTableColumns, type SQLWrapper, type Table } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";

// Drizzle maps each cell through a generic walk (an `is()` class check and a path iterator per cell): for the 200
// rows of Raycast's list that cost 2.5x SQLite's own read of them (issue 25). The rule — each column's
// mapFromDriverValue — stays the schema's; only the walk is skipped.
const columnsOf = new WeakMap<Table, ReadonlyArray<readonly [string, Column]>>();

function columns(table: Table): ReadonlyArray<readonly [string, Column]> {
  let cols = columnsOf.get(table);
  if (!cols) {
    cols = Object.entries(getTableColumns(table));
    columnsOf.set(table, cols);
  }
  return cols;
}

/**
 * The rows of `query` — a select of every column of `table`, in getTableColumns order (what `db.select().from(table)`
 * selects) — as `table`'s row objects. Both SQLite drivers hand back arrays in select order through `values`.
 */
export async function tableRows<T extends Table>(
  db: StoreDb,
  table: T,
  query: SQLWrapper,
): Promise<Array<T["$inferSelect"]>> {
  const cols = columns(table);
  const raw = (await db.values(query)) as unknown[][];
  return raw.map((r) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < cols.length; i++) {
      const [key, column] = cols[i] as readonly [string, Column];
      const value = r[i];
      row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return row as T["$inferSelect"];
  });
}
