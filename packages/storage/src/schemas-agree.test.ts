// The two schema modules (./schema.ts for SQLite, ./pg/schema.ts for PostgreSQL) are the one place storage is still
// written per dialect: drizzle-kit generates each dialect's migrations from a static module of that dialect's
// builders. pg/dialect.ts checks at compile time that their rows have the same TypeScript shapes; this test checks
// the rest of what a copy could get wrong — the same tables, column names, nullability, primary keys, foreign keys
// and their actions, indexes (name, columns, uniqueness, partial condition) and checks — so the copies cannot drift.
import { is, SQL } from "drizzle-orm";
import { PgTable, getTableConfig as pgConfig } from "drizzle-orm/pg-core";
import { SQLiteTable, getTableConfig as sqliteConfig } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as pg from "./pg/schema.ts";
import * as sqlite from "./schema.ts";

type Config = ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>;

/** A SQL fragment as text, with the two dialects' spellings of "not equal" made one. */
function sqlText(value: unknown): string {
  if (!is(value, SQL)) return String(value);
  const text = value.queryChunks
    .map((chunk) => {
      if (typeof chunk === "string") return chunk;
      if (chunk && typeof chunk === "object" && "value" in chunk) return (chunk.value as string[]).join("");
      if (chunk && typeof chunk === "object" && "name" in chunk)
        return String((chunk as { name: string }).name);
      return sqlText(chunk);
    })
    .join("");
  return text.replace(/\s*(!=|<>)\s*/g, " <> ").trim();
}

function describeTable(config: Config) {
  const columnName = (c: { name: string }) => c.name;
  return {
    name: config.name,
    columns: config.columns
      .map((c) => ({
        name: c.name,
        notNull: c.notNull,
        primary: c.primary,
        // A SQLite INTEGER PRIMARY KEY is the rowid and so always "has a default"; PostgreSQL says so only for an
        // identity. Whether an id is generated is compared through the tables' rows (pg/dialect.ts), not here.
        hasDefault: c.primary ? "(dialect's own)" : c.hasDefault,
        enumValues: c.enumValues ?? null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    primaryKeys: config.primaryKeys.map((pk) => pk.columns.map(columnName)),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        return {
          columns: ref.columns.map(columnName),
          table: (ref.foreignTable as unknown as { [k: symbol]: string })[Symbol.for("drizzle:Name")],
          foreignColumns: ref.foreignColumns.map(columnName),
          onDelete: fk.onDelete ?? "no action",
        };
      })
      .sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
    indexes: config.indexes
      .map((ix) => ({
        name: ix.config.name,
        unique: ix.config.unique ?? false,
        columns: ix.config.columns.map((c) => (is(c, SQL) ? sqlText(c) : columnName(c as { name: string }))),
        where: ix.config.where ? sqlText(ix.config.where) : null,
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    checks: config.checks.map((c) => ({ name: c.name, value: sqlText(c.value) })),
  };
}

const sqliteTables = Object.fromEntries(
  Object.entries(sqlite).filter(([, value]) => is(value, SQLiteTable)),
) as Record<string, SQLiteTable>;
// PostgreSQL's stand-in for SQLite's PRAGMA data_version (see pg/schema.ts): the one table only one dialect has.
const PG_ONLY = ["storeVersion"];
const pgTables = Object.fromEntries(
  Object.entries(pg).filter(([name, value]) => is(value, PgTable) && !PG_ONLY.includes(name)),
) as Record<string, PgTable>;

describe("issue 21: the SQLite and PostgreSQL schema modules describe the same store", () => {
  it("export the same tables under the same names", () => {
    expect(Object.keys(pgTables).sort()).toEqual(Object.keys(sqliteTables).sort());
    expect(is(pg.storeVersion, PgTable)).toBe(true);
    expect(Object.keys(sqliteTables).length).toBeGreaterThanOrEqual(13);
  });

  for (const name of Object.keys(sqliteTables)) {
    it(`${name}: same columns, keys, indexes and checks`, () => {
      const sqliteTable = sqliteTables[name];
      const pgTable = pgTables[name];
      expect(pgTable, `${name} is missing from pg/schema.ts`).toBeDefined();
      if (!sqliteTable || !pgTable) return;
      expect(describeTable(pgConfig(pgTable))).toEqual(describeTable(sqliteConfig(sqliteTable)));
    });
  }

  it("the comparison sees a difference (a column dropped, an index made non-unique, an FK action changed)", () => {
    const keys = describeTable(sqliteConfig(sqliteTables.keys as SQLiteTable));
    const dropped = { ...keys, columns: keys.columns.slice(1) };
    const notUnique = { ...keys, indexes: keys.indexes.map((ix) => ({ ...ix, unique: false })) };
    const action = { ...keys, foreignKeys: keys.foreignKeys.map((fk) => ({ ...fk, onDelete: "cascade" })) };
    for (const changed of [dropped, notUnique, action]) expect(changed).not.toEqual(keys);
    expect(keys.indexes.some((ix) => ix.unique && ix.where?.includes("<>"))).toBe(true);
    expect(keys.foreignKeys.length).toBeGreaterThan(0);
  });
});
