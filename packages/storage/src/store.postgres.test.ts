// The store contract on a real PostgreSQL server that this file starts (Debian's postgresql package): several
// connections and processes at once, real locks and lock timeouts.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openStore } from "./postgres.ts";
import { describeStoreContract } from "./store.contract.ts";
import { usePrivatePostgres } from "./testing/pg-server.ts";
import { pgServerTarget } from "./testing/pg-target.ts";

const url = usePrivatePostgres();
if (url) describeStoreContract(pgServerTarget(url));

if (url) {
  describe("PostgreSQL store: connections", () => {
    it("opens a new connection after the server ended its session (a restart, a failover)", async () => {
      const schema = `t_reconnect_${Date.now()}`;
      const store = await openStore({ url: `${url()}?schema=${schema}` });
      const admin = new pg.Client({ connectionString: url() });
      await admin.connect();
      try {
        await store.profiles.create({ name: "default", activeKeyId: null, createdAt: new Date() });
        const ended = await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'apikey'",
        );
        expect(ended.rowCount).toBeGreaterThan(0);
        // The statement that finds the connection gone may fail; the one after it runs on a new connection.
        await store.dataVersion().catch(() => undefined);
        expect((await store.profiles.list()).map((p) => p.name)).toEqual(["default"]);
        await store.transaction((tx) =>
          tx.profiles.create({ name: "after", activeKeyId: null, createdAt: new Date() }),
        );
        expect(await store.profiles.get("after")).not.toBeNull();
      } finally {
        await admin.end();
        await store.close();
      }
    });
  });

  describe("PostgreSQL store: a database that is someone else's", () => {
    it("refuses an application's schema (a URL without ?schema= pointed at the app's database) and changes nothing", async () => {
      const admin = new pg.Client({ connectionString: url() });
      await admin.connect();
      const schema = `t_app_${Date.now()}`;
      try {
        await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.users (id int PRIMARY KEY)`);
        await admin.query(`INSERT INTO ${schema}.users VALUES (1)`);
        const err = await openStore({ url: `${url()}?schema=${schema}` }).then(
          () => undefined,
          (e: unknown) => e as { code?: string; message?: string },
        );
        expect(err?.code).toBe("E_NOT_A_STORE");
        expect(err?.message).toContain('"users"');
        const left = await admin.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
          [schema],
        );
        expect(left.rows.map((r) => r.table_name)).toEqual(["users"]);
      } finally {
        await admin.end();
      }
    });
  });
}
