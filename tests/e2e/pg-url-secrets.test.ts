import { createServer } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { jsonError, type RunOptions, runCli } from "../fixtures/cli.ts";
import { homeWithKey, noSecret, SECRET } from "../fixtures/pg-url-secret.ts";
import { onPostgres } from "../fixtures/postgres.ts";

// Issue 20 item 6, through the CLI: a PostgreSQL URL's secret, in any of the places node-postgres reads one, appears
// in no output of `status`, `store copy` or a connection error; a URL that cannot be read is a usage error (exit 2)
// that does not quote it. Without a server: a closed port on 127.0.0.1. The successful runs, on the private server:
// pg-url-secrets-server.test.ts.

const { opts: home } = homeWithKey();

let opts: RunOptions;
let closedPort: number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Every place a secret goes in a URL, on a server that does not answer. */
const spellings = (port: number) => [
  `postgres://app:${SECRET}@127.0.0.1:${port}/apikey`,
  `postgres://app@127.0.0.1:${port}/apikey?password=${SECRET}`,
  `postgresql://app@127.0.0.1:${port}/apikey?sslmode=disable&PASSWORD=${SECRET}&password=${SECRET}`,
  `postgres://app:x@127.0.0.1:${port}/apikey?sslpassword=${SECRET}&client_secret=${SECRET}#${SECRET}`,
  `postgres://app:${encodeURIComponent(`${SECRET}@:/ `)}@127.0.0.1:${port}/apikey?schema=team`,
  // A Unix socket directory as node-postgres takes it: an empty host and ?host=/dir (nothing listens there).
  `postgres://app:${SECRET}@/apikey?host=/nonexistent/apikey-test-socket&port=${port}`,
];

/** URLs that cannot be read, each holding the secret. */
const malformed = [
  `postgres://u:p w${SECRET}@h:1:2/db`,
  `postgres://u:${SECRET}%zz@127.0.0.1/db`,
  `postgres://u:${SECRET}@/db`,
  `postgres://u:${SECRET}@h:port/db`,
  `postgres://u@127.0.0.1:1/db?password=${SECRET}%e0%80`,
];

beforeAll(async () => {
  opts = home();
  closedPort = await freePort();
});

describe("issue 20 item 6: the PostgreSQL password is never printed (no server needed)", () => {
  it("status and a connection error: every spelling, human, --json and APIKEY_DEBUG", async () => {
    for (const url of spellings(closedPort)) {
      for (const args of [["status"], ["--json", "status"], ["--json", "list"]]) {
        const r = await runCli(args, onPostgres({ ...opts, env: { APIKEY_DEBUG: "1" } }, url));
        expect(r.code, `${args.join(" ")} ${url}: ${r.stderr}`).toBe(1);
        noSecret(r);
        expect(r.stderr).toMatch(/cannot be reached \((ECONNREFUSED|ENOENT)\)/);
      }
    }
  });

  it("store copy --to a server that does not answer: the target is named without its secret", async () => {
    for (const url of spellings(closedPort)) {
      for (const json of [true, false]) {
        const r = await runCli([...(json ? ["--json"] : []), "store", "copy", "--to", url], opts);
        expect(r.code, r.stderr).toBe(1);
        noSecret(r);
        if (json) expect(jsonError(r).code).toBe("E_STORE_READONLY");
      }
    }
  });

  it("a URL that cannot be read is a usage error that does not quote it, wherever it is given", async () => {
    for (const url of malformed) {
      const env = { APIKEY_DEBUG: "1" };
      for (const r of [
        await runCli(["--json", "status"], onPostgres({ ...opts, env }, url)),
        await runCli(["status"], onPostgres({ ...opts, env }, url)),
        await runCli(["--json", "store", "copy", "--to", url], opts),
        await runCli(["store", "copy", "--to", url], { ...opts, env }),
      ]) {
        expect(r.code, `${url}: ${r.stderr}`).toBe(2);
        noSecret(r);
        expect(r.stderr).not.toMatch(/internal/i);
        expect(r.stderr).toMatch(/cannot be read/);
      }
    }
    const other = await runCli(["--json", "store", "copy", "--to", `mysql://u:${SECRET}@h/db`], opts);
    expect(other.code).toBe(2);
    expect(jsonError(other).code).toBe("E_USAGE");
    noSecret(other);
  });

  it("an sslkey pasted in place of a path is not echoed by the file error", async () => {
    const pem = encodeURIComponent(
      `-----BEGIN PRIVATE KEY-----\n${SECRET}${"A".repeat(300)}\n-----END PRIVATE KEY-----`,
    );
    for (const param of ["sslkey", "sslcert", "sslrootcert"]) {
      for (const value of [pem, `/nonexistent/${SECRET}`]) {
        const url = `postgres://app@127.0.0.1:${closedPort}/apikey?${param}=${value}`;
        const r = await runCli(
          ["--json", "status"],
          onPostgres({ ...opts, env: { APIKEY_DEBUG: "1" } }, url),
        );
        expect(r.code, r.stderr).toBe(2);
        noSecret(r);
        expect(jsonError(r).code).toBe("E_USAGE");
      }
    }
  });
});
