// Vendored from packages/storage/src/sqlite/table-rows.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// A select's rows, decoded by the schema's own columns without Drizzle's generic per-row walk.
import type { Column, SQLWrapper } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";

// Drizzle maps each cell through a generic walk (an `is()` class check and a path iterator per cell): for the 200
// rows of Raycast's list that cost 2.5x SQLite's own read of them (issue 25). The rule — each column's
// mapFromDriverValue — stays the schema's; only the walk is skipped.
interface Decoder {
  columns: ReadonlyArray<readonly [string, Column]>;
  /** Every key of the row, each null: a row starts as a copy of it, so it is allocated once in its final shape. */
  empty: Readonly<Record<string, null>>;
}
const decoders = new WeakMap<object, Decoder>();

function decoderOf(selection: Readonly<Record<string, Column>>): Decoder {
  let decoder = decoders.get(selection);
  if (!decoder) {
    const columns = Object.entries(selection);
    decoder = { columns, empty: Object.fromEntries(columns.map(([key]) => [key, null])) };
    decoders.set(selection, decoder);
  }
  return decoder;
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
  return decodeRows(selection, (await db.values(query)) as unknown[][]);
}

/** `raw` — rows as arrays in the order of `selection`'s columns — as objects keyed like `selection`. */
export function decodeRows<R>(selection: Readonly<Record<string, Column>>, raw: unknown[][]): R[] {
  const { columns, empty } = decoderOf(selection);
  return raw.map((r) => {
    // Built up key by key, a row changed shape (and grew its property store) once per column: half the decoding.
    const row: Record<string, unknown> = { ...empty };
    for (let i = 0; i < columns.length; i++) {
      const value = r[i];
      if (value === null || value === undefined) continue;
      const [key, column] = columns[i] as readonly [string, Column];
      row[key] = column.mapFromDriverValue(value);
    }
    return row as R;
  });
}
