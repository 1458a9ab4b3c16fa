import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { afterEach, describe, expect, it } from "vitest";
import type { Connection } from "./drivers/types.ts";
import { connect } from "./index.ts";
import { migrateStore } from "./migrate.ts";
import { migrations } from "./migrations.generated.ts";

const migration = (folderMillis: number): MigrationMeta => ({
  sql: [],
  bps: true,
  folderMillis,
  hash: "test",
});

/** A connection whose migrate() fails like the loser of two processes creating one store at once. */
function racingConnection(appliedAfterFailure: number): Connection {
  let applied = 0;
  return {
    db: undefined as never,
    exec: () => undefined,
    scalar: (sql) =>
      sql.includes("sqlite_master") ? (applied > 0 ? 1 : 0) : sql.includes("NOT IN") ? 0 : applied,
    migrate: async () => {
      applied = appliedAfterFailure;
      throw new Error("table `audit_log` already exists");
    },
    close: () => undefined,
  };
}

describe("migrateStore", () => {
  it("accepts a failed migration when another process brought the database up to date meanwhile", async () => {
    await expect(
      migrateStore(racingConnection(200), [migration(100), migration(200)], "test.db"),
    ).resolves.toBe(undefined);
  });

  it("rethrows a failed migration that left the database behind", async () => {
    await expect(
      migrateStore(racingConnection(100), [migration(100), migration(200)], "test.db"),
    ).rejects.toThrow("already exists");
  });
});

describe("migrateStore with a store from another build", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A real database migrated by this build, plus one journal entry this build never shipped. */
  async function storeWithForeignMigration(createdAt: number): Promise<Connection> {
    const dir = mkdtempSync(join(tmpdir(), "apikey-migrate-"));
    dirs.push(dir);
    const conn = await connect("better-sqlite3", join(dir, "apikey.db"));
    await migrateStore(conn, migrations, "test.db");
    conn.exec(`INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('foreign', ${createdAt})`);
    return conn;
  }

  const newest = migrations.at(-1)?.folderMillis ?? 0;

  it("refuses a store with a migration newer than any this build knows", async () => {
    const conn = await storeWithForeignMigration(newest + 1);
    await expect(migrateStore(conn, migrations, "test.db")).rejects.toMatchObject({
      code: "E_STORE_TOO_NEW",
    });
    conn.close();
  });

  it("refuses a store with an unknown migration that sorts before the newest known one", async () => {
    const first = migrations[0]?.folderMillis ?? 0;
    const conn = await storeWithForeignMigration(first + 1);
    await expect(migrateStore(conn, migrations, "test.db")).rejects.toMatchObject({
      code: "E_STORE_TOO_NEW",
    });
    conn.close();
  });

  it("still upgrades a store that is merely older", async () => {
    const dir = mkdtempSync(join(tmpdir(), "apikey-migrate-"));
    dirs.push(dir);
    const conn = await connect("better-sqlite3", join(dir, "apikey.db"));
    await migrateStore(conn, migrations.slice(0, 1), "test.db");
    await migrateStore(conn, migrations, "test.db");
    expect(Number(conn.scalar("SELECT count(*) FROM __drizzle_migrations"))).toBe(migrations.length);
    conn.close();
  });
});
