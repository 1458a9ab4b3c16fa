import { existsSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { addKey, jsonOut, runCli } from "../fixtures/cli.ts";
import { commandLines, EXPORT_ENV, noStoreProblem, realProgram, STDIN } from "../fixtures/every-command.ts";
import { onPostgres, storeUrl, usePrivatePostgres } from "../fixtures/postgres.ts";
import { KEY, storeSafetyHome } from "../fixtures/store-safety.ts";

// Issue 20, item 9 on PostgreSQL: reads create no schema. Split by item out of one file (tests/fixtures/store-
// safety.ts has what they share) so the suite's workers share the items out.

const t = storeSafetyHome();

describe("issue 20 item 9 on PostgreSQL: reads create no schema", () => {
  const server = usePrivatePostgres();
  if (!server) return;
  const schemaOf = (url: string) => new URL(url).searchParams.get("schema") ?? "";
  async function schemaExists(url: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: url.replace(/\?.*$/, "") });
    await client.connect();
    try {
      const r = await client.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1", [
        schemaOf(url),
      ]);
      return r.rows[0].n === 1;
    } finally {
      await client.end();
    }
  }

  it("item 9: every command but the creating ones leaves the schema uncreated and says there is no store", async () => {
    const { CREATES_STORE } = await import("../../apps/cli/src/program.ts");
    const program = await realProgram();
    const url = storeUrl(server(), "item9");
    const pgOpts = onPostgres({ ...t.opts, env: { ...t.opts.env, ...EXPORT_ENV } }, url);
    const lines = commandLines(program, t.home.root).filter((l) => !CREATES_STORE.has(l.path));
    const problems: string[] = [];
    for (const { path, args } of lines) {
      const r = await runCli(["--json", ...args], { ...pgOpts, stdin: STDIN[path] ?? "", timeoutMs: 15_000 });
      if (await schemaExists(url)) problems.push(`${path}: created the schema`);
      if (existsSync(t.home.dataDir)) problems.push(`${path}: created APIKEY_HOME`);
      problems.push(...[noStoreProblem(path, r)].filter((p): p is string => p !== null));
    }
    expect(problems).toEqual([]);
    // The one way in: adding a key creates the schema, and reads then work.
    expect((await addKey("work", KEY, pgOpts, ["--no-validate"])).code).toBe(0);
    expect(await schemaExists(url)).toBe(true);
    expect(jsonOut<unknown[]>(await runCli(["--json", "list"], pgOpts))).toHaveLength(1);
  }, 300_000);
});
