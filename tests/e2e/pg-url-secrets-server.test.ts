import { beforeAll, describe, expect, it } from "vitest";
import { type CliResult, jsonOut, type RunOptions, runCli } from "../fixtures/cli.ts";
import { homeWithKey, noSecret, SECRET } from "../fixtures/pg-url-secret.ts";
import { onPostgres, storeUrl, usePrivatePostgres } from "../fixtures/postgres.ts";

// Issue 20 item 6 with the private PostgreSQL server (trust authentication, so any password connects): a URL's
// secret appears in no output of a successful `status` or `store copy`. Split out of pg-url-secrets.test.ts (same
// test names) so the suite's two workers share the two halves.

const server = usePrivatePostgres();
const { opts: home } = homeWithKey();
let opts: RunOptions;
beforeAll(() => {
  opts = home();
});

describe.runIf(server)("issue 20 item 6: the PostgreSQL password is never printed (private server)", () => {
  it("status and store copy --json on a server that accepts the URL", async () => {
    const base = storeUrl(server?.() ?? "", "pgsecret");
    for (const url of [
      `${base}&password=${SECRET}`,
      `${base}&PASSWORD=${SECRET}&sslpassword=${SECRET}`,
      base.replace("apikey@", `apikey:${SECRET}@`),
    ]) {
      const target = url.replace(
        /schema=pgsecret_[0-9a-f]+/,
        `schema=pgsecret_${Math.random().toString(16).slice(2, 10)}`,
      );
      const copied = await runCli(["--json", "store", "copy", "--to", target], opts);
      expect(copied.code, copied.stderr).toBe(0);
      noSecret(copied);
      const report = jsonOut<{ to: string }>(copied);
      // The file's own database on the run's shared server (postgres, on a private server of its own).
      expect(report.to).toMatch(
        /^postgres:\/\/apikey@127\.0\.0\.1:\d+\/(postgres|t_[0-9a-f]+)\?schema=pgsecret_/,
      );
      const runs: Record<string, CliResult> = {};
      for (const args of [["status"], ["--json", "status"], ["list"]]) {
        const r = await runCli(args, onPostgres(opts, target));
        expect(r.code, r.stderr).toBe(0);
        noSecret(r);
        runs[args.join(" ")] = r;
      }
      // `status --json` names the store as the copy's report did (that run's output, not a second identical run).
      expect(jsonOut<{ location: string }>(runs["--json status"] as CliResult).location).toBe(report.to);
    }
  });
});
