import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { pgMigrations } from "./migrations.generated.ts";
import * as schema from "./schema.ts";

describe("embedded PostgreSQL migrations", () => {
  it("match drizzle-pg/ exactly (run `pnpm db:generate:pg` after changing the pg schema)", () => {
    const script = fileURLToPath(new URL("../../scripts/embed-pg-migrations.mjs", import.meta.url));
    expect(() => execFileSync(process.execPath, [script, "--check"], { stdio: "pipe" })).not.toThrow();
  });

  it("end every statement with a semicolon (migrate.ts sends a migration's statements as one query)", () => {
    const statements = pgMigrations.flatMap((m) => m.sql).filter((s) => s.trim() !== "");
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((s) => !s.trim().endsWith(";"))).toEqual([]);
  });

  it("name no schema, so a store can live in any one", () => {
    expect(pgMigrations.flatMap((m) => m.sql).filter((s) => s.includes('"public".'))).toEqual([]);
  });

  it("bump the data version from every table (a table without the trigger would change unseen)", () => {
    const tables = (Object.values(schema) as unknown[])
      .filter((value): value is PgTable => is(value, PgTable))
      .map((table) => getTableName(table))
      .filter((name) => name !== "store_version");
    expect(tables.length).toBeGreaterThan(10);
    const sql = pgMigrations.flatMap((m) => m.sql).join("\n");
    for (const table of tables) {
      expect(sql, table).toContain(
        `ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"()`,
      );
    }
  });
});
