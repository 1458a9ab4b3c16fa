import type { MigrationMeta } from "drizzle-orm/migrator";
import { describe, expect, it } from "vitest";
import type { Connection } from "./drivers/types.ts";
import { migrateStore } from "./migrate.ts";

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
    scalar: (sql) => (sql.includes("sqlite_master") ? (applied > 0 ? 1 : 0) : applied),
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
