// A PostgreSQL schema becomes a store only while it holds nothing else (see schema-identity.ts). On PGlite, so it
// runs with every `pnpm test`; store.postgres.test.ts repeats the headline case on a real server.
import { isApikeyError } from "@apikey/core/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newPgliteHub, openStore, type PgliteHub } from "../pglite.ts";

let hub: PgliteHub;
beforeAll(async () => {
  hub = await newPgliteHub();
}, 60_000);
afterAll(async () => {
  await hub?.pglite.close();
});

const rows = async (sql: string) => (await hub.pglite.query<Record<string, unknown>>(sql)).rows;
const refusal = async (schema: string) => {
  const err = await openStore({ hub, schema }).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!isApikeyError(err)) throw new Error(`expected an apikey error, got ${String(err)}`);
  return err;
};
const tablesIn = async (schema: string) =>
  (
    await rows(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}' ORDER BY 1`)
  ).map((r) => r.table_name);

describe("issue 21 (noticed): a PostgreSQL schema holding someone else's tables is not made a store", () => {
  it.each([
    [
      "a plain table",
      "app_plain",
      `CREATE TABLE app_plain.users (id int PRIMARY KEY, email text); INSERT INTO app_plain.users VALUES (1, 'a@example.test')`,
    ],
    ["a quoted mixed-case table", "app_quoted", `CREATE TABLE app_quoted."Orders" (id int)`],
    ["only a view", "app_view", "CREATE VIEW app_view.v AS SELECT 1 AS one"],
    ["a materialized view", "app_mv", "CREATE MATERIALIZED VIEW app_mv.m AS SELECT 1 AS one"],
    ["a partitioned table", "app_part", "CREATE TABLE app_part.p (d date) PARTITION BY RANGE (d)"],
    ["a table named like one of apikey's", "app_keys", "CREATE TABLE app_keys.keys (id text PRIMARY KEY)"],
  ])("refuses a schema with %s, and leaves it exactly as it was", async (_what, schema, setup) => {
    await hub.pglite.exec(`CREATE SCHEMA ${schema}; ${setup}`);
    const before = await tablesIn(schema);
    const err = await refusal(schema);
    expect(err.code).toBe("E_NOT_A_STORE");
    expect(err.details.reason).toBe("foreign_tables");
    expect(err.message).toContain("left untouched");
    expect(err.hint).toContain("?schema=");
    expect(await tablesIn(schema)).toEqual(before);
    expect(before).not.toContain("__drizzle_migrations");
  });

  it("refuses another program's Drizzle migrations table (not 'a newer apikey')", async () => {
    await hub.pglite.exec(
      "CREATE SCHEMA other_app; CREATE TABLE other_app.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint); INSERT INTO other_app.__drizzle_migrations (hash, created_at) VALUES ('x', 1700000000000)",
    );
    const err = await refusal("other_app");
    expect(err.code).toBe("E_NOT_A_STORE");
    expect(err.details.reason).toBe("foreign_migrations");
    expect(await rows("SELECT count(*)::int AS n FROM other_app.__drizzle_migrations")).toEqual([{ n: 1 }]);
  });

  it("names at most three tables, and how many more", async () => {
    await hub.pglite.exec(
      `CREATE SCHEMA many; ${Array.from({ length: 7 }, (_, i) => `CREATE TABLE many.t${i} (id int);`).join(" ")}`,
    );
    const err = await refusal("many");
    expect(err.message).toContain('"t0", "t1", "t2" and 4 more');
  });

  it("an empty schema (or a missing one) becomes a store, and opens again as one", async () => {
    await hub.pglite.exec("CREATE SCHEMA fresh");
    for (const schema of ["fresh", "not_yet_there"]) {
      const store = await openStore({ hub, schema });
      await store.profiles.create({ name: "default", activeKeyId: null, createdAt: new Date(0) });
      await store.close();
      const again = await openStore({ hub, schema });
      expect((await again.profiles.list()).map((p) => p.name)).toEqual(["default"]);
      await again.close();
    }
  });
});
