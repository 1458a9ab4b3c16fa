// The key repository's `list`: every row (or one profile's) in list order, with or without the sealed secrets.
import type { KeyMetadata, KeyRecord } from "@apikey/core";
import type { KeyRepository } from "@apikey/core/store";
import { and, asc, eq, getTableColumns, lt, sql } from "drizzle-orm";
import type { Dialect, Tables } from "../dialect.ts";
import { keyFromRow } from "../rows.ts";

/** A key row's columns, and all but its sealed secrets (core's KeyMetadata): what a listing selects. */
function selectionsOf(keys: Tables["keys"]) {
  const all = getTableColumns(keys);
  const { ciphertext, nonce, refreshCiphertext, refreshNonce, ...metadata } = all;
  return { all, metadata };
}
// One selection object per table (SQLite's, PostgreSQL's), so the row decoder keeps its column list.
const selections = new WeakMap<Tables["keys"], ReturnType<typeof selectionsOf>>();

// The listing's SQL text per table (SQLite's, PostgreSQL's) and filter: Drizzle's builder walks every selected
// column and condition at each call, which cost more than SQLite's own work for this select (issue 25).
const listingTexts = new WeakMap<Tables["keys"], Map<boolean, string>>();

function listingSql(
  keys: Tables["keys"],
  byProfile: boolean,
  listing: (profile: string | undefined) => { toSQL(): { sql: string; params: unknown[] } },
): string {
  let texts = listingTexts.get(keys);
  if (!texts) {
    texts = new Map();
    listingTexts.set(keys, texts);
  }
  let text = texts.get(byProfile);
  if (text === undefined) {
    const { sql, params } = listing(byProfile ? "" : undefined).toSQL();
    // The profile is the only parameter the call supplies; anything else would be bound to the wrong value.
    if (params.length !== (byProfile ? 1 : 0))
      throw new Error(`unexpected listing parameters: ${params.length}`);
    text = sql;
    texts.set(byProfile, text);
  }
  return text;
}

type ListFilter = { profile?: string; sealBelow?: number; secrets?: boolean };

/** KeyRepository.list over `dialect`: `secrets: false` reads and copies no secret (what every listing asks for). */
export function keyList(dialect: Dialect): KeyRepository["list"] {
  const { db, byteOrder } = dialect;
  const { keys } = dialect.tables;
  let columns = selections.get(keys);
  if (!columns) {
    columns = selectionsOf(keys);
    selections.set(keys, columns);
  }
  const { all, metadata } = columns;
  const listOrder = () => [
    byteOrder(keys.profile),
    byteOrder(keys.name),
    asc(keys.createdAt),
    byteOrder(keys.id),
  ];

  async function records(filter: ListFilter): Promise<KeyRecord[]> {
    const where = and(
      filter.profile === undefined ? undefined : eq(keys.profile, filter.profile),
      filter.sealBelow === undefined ? undefined : lt(keys.seal, filter.sealBelow),
    );
    // The unlock's seal check runs at every open and, in a store written since seal version 2, finds nothing:
    // asking whether one row matches costs a fraction of preparing and running the whole-row select (issue 25).
    if (filter.sealBelow !== undefined) {
      const [any] = await db.select({ one: sql<number>`1` }).from(keys).where(where).limit(1);
      if (!any) return [];
    }
    const query = db
      .select()
      .from(keys)
      .where(where)
      .orderBy(...listOrder());
    // Decoded without Drizzle's per-row walk where the dialect can.
    const rows = (await dialect.selectedRows<typeof keys.$inferSelect>(all, query)) ?? (await query);
    return rows.map(keyFromRow);
  }

  const listing = (profile: string | undefined) =>
    db
      .select(metadata)
      .from(keys)
      .where(profile === undefined ? undefined : eq(keys.profile, profile))
      .orderBy(...listOrder());

  async function withoutSecrets(filter: ListFilter): Promise<KeyMetadata[]> {
    const { profile } = filter;
    // What every front's list runs at every open: its SQL is written once a process (see listingSql).
    const built = {
      sql: listingSql(keys, profile !== undefined, listing),
      params: profile === undefined ? [] : [profile],
    };
    // No buffer is read or copied, and the rows need no mapping: they are KeyMetadata as selected.
    const rows: KeyMetadata[] =
      (await dialect.builtRows<KeyMetadata>(metadata, built)) ?? (await listing(profile));
    return rows;
  }

  // One implementation behind KeyRepository.list's two signatures.
  return ((filter: ListFilter = {}) =>
    filter.secrets === false ? withoutSecrets(filter) : records(filter)) as KeyRepository["list"];
}
