import { spawn } from "node:child_process";
import { type Apikey, parseSince } from "@apikey/core";
import { recordUsageMany } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { copyStore, endpointFrom } from "@apikey/storage/copy";
import { openStore as openPgStore } from "@apikey/storage/postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI_PATH,
  cliEnv,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
} from "../fixtures/cli.ts";
import { inProcess, listedKeys } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { inProcessOnPg, onPostgres, storeUrl, usePrivatePostgres } from "../fixtures/postgres.ts";

// `apikey store copy`: a SQLite store into PostgreSQL and back, keys still ciphertext (no master key is needed:
// the copying runs have none), every table's count the same, the target refused unless empty, and a copy killed
// half-way leaving the target empty.
// The CLI runs what is tested: every `store copy`. The source store the copies start from, a target that already
// holds data, and the source's new key before a merge are made in process; what a copy left (the active key and its
// secret, the keys, the usage report, a merged key) is read back in process, through the use cases `current`,
// `list --json`, `usage --json` and `show` call (inProcessOnPg opens a PostgreSQL store as the CLI does).

const server = usePrivatePostgres();
const TABLES = [
  "profiles",
  "keys",
  "master_key_slots",
  "store_meta",
  "settings",
  "store_secrets",
  "oauth_providers",
  "marks",
  "pending_deactivations",
  "audit_log",
  "usage_events",
  "usage_daily",
];
const KEY_A = fakeApiKey("PGCOPY_A");
const KEY_B = fakeApiKey("PGCOPY_B");
const EVENTS = 3000;

let home: TestHome;
let opts: RunOptions;
const homes: TestHome[] = [];

/** Runs without any master key: copying must not need one. */
const keyless = (o: RunOptions): RunOptions => ({ ...o, env: { ...o.env, APIKEY_MASTER_KEY: undefined } });

async function sqliteCounts(path: string): Promise<Record<string, number>> {
  const { connect } = await import("@apikey/storage");
  const conn = await connect("better-sqlite3", path);
  try {
    return Object.fromEntries(TABLES.map((t) => [t, Number(conn.scalar(`SELECT count(*) FROM ${t}`))]));
  } finally {
    conn.close();
  }
}

async function pgCounts(url: string): Promise<Record<string, number>> {
  return withClient(url, async (c) => {
    const counts: Record<string, number> = {};
    for (const t of TABLES) counts[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    return counts;
  });
}

/**
 * What `usage --json --since 30d --by key` prints but its `until` ("now") and the key names beside each row (the key
 * list is compared on its own): the use cases that command calls, in process.
 */
async function usageByKey(app: Apikey, since: Date) {
  return {
    report: await app.usage.report({ since, by: "key" }),
    reported: await app.usage.reported({ since }),
    costs: await app.usage.costs({ since }),
  };
}

async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? "public";
  parsed.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: parsed.toString() });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    return await work(client);
  } finally {
    await client.end();
  }
}

if (server) {
  beforeAll(async () => {
    home = await makeHome();
    opts = { home, timeoutMs: 60_000 };
    const ids = await inProcess(home, async (app) => {
      await app.keys.add({ name: "a", secret: KEY_A, validate: false });
      await app.keys.add({ name: "b", secret: KEY_B, validate: false });
      await app.keys.use("b", "default");
      await app.usage.setBudget({ name: "a", profile: "default", usd: 25, mode: "warn" });
      await app.settings.setMaxAgeDays(60);
      await app.tokens.create({
        name: "default",
        profile: null,
        budgetUsd: null,
        block: false,
        expiresAt: null,
        models: null,
      });
      return Object.fromEntries((await app.keys.list()).map((k) => [k.name, k.id]));
    });
    // Usage over several days and both keys, through the core's own bulk path.
    const store = await openStore({ path: home.storePath });
    try {
      const now = Date.now();
      await recordUsageMany(
        store,
        Array.from({ length: EVENTS }, (_, i) => ({
          keyId: (i % 3 === 0 ? ids.a : ids.b) as string,
          at: new Date(now - (i % 20) * 86_400_000 - i),
          model: i % 5 === 0 ? "mystery-model" : "claude-sonnet-4-5-20250929",
          inputTokens: 100 + i,
          outputTokens: 10 + (i % 7),
          cacheCreationTokens: i % 3,
          cacheReadTokens: i % 11,
          requestId: `req_copy_${i}`,
          front: "gateway",
        })),
      );
    } finally {
      await store.close();
    }
  }, 120_000);
  afterAll(async () => {
    await home?.cleanup();
    for (const h of homes) await h.cleanup();
  });

  describe("apikey store copy", () => {
    it("copies a SQLite store into PostgreSQL and back with every row, keys still encrypted", {
      timeout: 120_000,
    }, async () => {
      if (!server) return;
      const url = storeUrl(server(), "copy");
      const copied = await runCli(["--json", "store", "copy", "--to", url], keyless(opts));
      expect(copied.code, copied.stderr).toBe(0);
      const source = await sqliteCounts(home.storePath);
      expect(source.usage_events).toBe(EVENTS);
      expect(await pgCounts(url)).toEqual(source);
      const report = jsonOut<{ tables: Record<string, number> }>(copied);
      expect(report.tables).toMatchObject({ keys: 2, usage_events: EVENTS });

      // The PostgreSQL store is the same store: same keys and active key, same secret, same reports.
      const onPg = onPostgres(opts, url);
      expect((await inProcessOnPg(onPg, (app) => app.active("default"))).secret).toBe(KEY_B);
      // The same report and list; float sums added in another order may differ in the last digit, and `active` (what
      // `current` calls) just marked key b used.
      const same = (value: unknown) =>
        JSON.parse(
          JSON.stringify(value, (k, v) =>
            k === "lastUsedAt"
              ? undefined
              : typeof v === "number" && !Number.isInteger(v)
                ? Number(v.toFixed(9))
                : v,
          ),
        );
      const since = parseSince("30d", new Date());
      const usage = async (app: Apikey) => same(await usageByKey(app, since));
      expect(await inProcessOnPg(onPg, usage)).toEqual(await inProcess(home, usage));
      expect(same(await inProcessOnPg(onPg, (app) => app.keys.list()))).toEqual(same(await listedKeys(home)));
      await withClient(url, async (c) => {
        const rows = (await c.query("SELECT ciphertext FROM keys")).rows as Array<{ ciphertext: Buffer }>;
        for (const row of rows) {
          expect(row.ciphertext.includes(Buffer.from("PGCOPY"))).toBe(false);
        }
      });

      // And back into a new SQLite file.
      const backHome = await makeHome();
      homes.push(backHome);
      const back = await runCli(["store", "copy", "--to", backHome.storePath], keyless(onPg));
      expect(back.code, back.stderr).toBe(0);
      expect(await sqliteCounts(backHome.storePath)).toEqual(source);
      expect((await inProcess(backHome, (app) => app.active("default"))).secret).toBe(KEY_B);
      expect(await inProcess(backHome, usage)).toEqual(await inProcess(home, usage));
    });

    it("refuses a target that holds data, and changes nothing there", { timeout: 120_000 }, async () => {
      if (!server) return;
      const url = storeUrl(server(), "full");
      const other = await makeHome();
      homes.push(other);
      await inProcessOnPg(onPostgres({ home: other }, url), (app) =>
        app.keys.add({ name: "c", secret: fakeApiKey("PGCOPY_C"), validate: false }),
      );
      const before = await pgCounts(url);
      const refused = await runCli(["--json", "store", "copy", "--to", url], keyless(opts));
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("already holds data");
      expect(await pgCounts(url)).toEqual(before);
      // --merge refuses too: that store has another data key, so its keys and these cannot live together.
      const merged = await runCli(["store", "copy", "--merge", "--to", url], keyless(opts));
      expect(merged.code).not.toBe(0);
      expect(merged.stderr).toContain("another data key");
      expect(await pgCounts(url)).toEqual(before);
    });

    it("merges into a copy of the same store: rows it has are kept, new ones added", {
      timeout: 120_000,
    }, async () => {
      if (!server) return;
      const url = storeUrl(server(), "merge");
      // The copy to merge into, made as `store copy` makes it (the merge is what is tested).
      await copyStore(endpointFrom(home.storePath), endpointFrom(url, "--to"), { merge: false });
      const before = await pgCounts(url);
      // The source moves on: a new key (and its audit row).
      await inProcess(home, (app) =>
        app.keys.add({ name: "m", secret: fakeApiKey("PGCOPY_M"), validate: false }),
      );
      const again = await runCli(["store", "copy", "--merge", "--to", url], keyless(opts));
      expect(again.code, again.stderr).toBe(0);
      const after = await pgCounts(url);
      expect(after).toEqual(await sqliteCounts(home.storePath));
      expect(after.keys).toBe((before.keys ?? 0) + 1);
      expect((await inProcessOnPg(onPostgres(opts, url), (app) => app.keys.get("m", "default"))).name).toBe(
        "m",
      );
    });

    it("leaves the target empty when the copy is killed half-way", { timeout: 120_000 }, async () => {
      if (!server) return;
      const url = storeUrl(server(), "killed");
      // Create the target's tables, then hold a lock that lets the copy read and write every table but
      // usage_events: it stops there, mid-transaction, with the tables before it already written.
      const target = await makeHome();
      homes.push(target);
      // (Reads create nothing, issue 20 item 9: the library's open, which creates, sets the schema up.)
      await (await openPgStore({ url })).close();
      await withClient(url, async (locker) => {
        await locker.query("BEGIN");
        await locker.query("LOCK TABLE usage_events IN SHARE MODE");
        const child = spawn(process.execPath, [CLI_PATH, "store", "copy", "--to", url], {
          env: cliEnv(keyless(opts)),
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk;
        });
        const exited = new Promise((resolve) => child.on("close", resolve));
        // Wait until its session waits on the lock: every table before usage_events is written, uncommitted.
        for (let i = 0; ; i++) {
          // Inside a transaction the activity view is read once; forget that snapshot on every look.
          await locker.query("SELECT pg_stat_clear_snapshot()");
          const waiting = await locker.query(
            "SELECT 1 FROM pg_stat_activity WHERE application_name = 'apikey' AND wait_event_type = 'Lock' AND datname = current_database()",
          );
          if (waiting.rowCount) break;
          if (i > 400 || child.exitCode !== null)
            throw new Error(`the copy never reached usage_events: ${stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        child.kill("SIGKILL");
        await exited;
        await locker.query("COMMIT");
      });
      // The server ends the killed session's transaction: wait for it to go, then nothing of the copy is there.
      // (This file's database only: other test files share the server.)
      for (let i = 0; i < 200; i++) {
        const left = await withClient(url, (c) =>
          c.query(
            "SELECT 1 FROM pg_stat_activity WHERE application_name = 'apikey' AND datname = current_database()",
          ),
        );
        if (!left.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const counts = await pgCounts(url);
      expect(
        Object.values(counts).every((n) => n === 0),
        JSON.stringify(counts),
      ).toBe(true);
      // And the target takes a whole copy afterwards.
      const retried = await runCli(["store", "copy", "--to", url], keyless(opts));
      expect(retried.code, retried.stderr).toBe(0);
      expect(await pgCounts(url)).toEqual(await sqliteCounts(home.storePath));
    });
  });
}
