import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI_PATH,
  type CliResult,
  cliEnv,
  filesContaining,
  jsonError,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
} from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { MINTED_KEY, type OidcServer, startOidcServer } from "../fixtures/oidc-server.ts";

// `apikey login` end to end: the built CLI in a child process, a real authorization server (oidc-provider) on
// 127.0.0.1, and this test playing the browser. Every run's output is kept for the leak check at the end.

let server: OidcServer;
let home: TestHome;
const outputs: Array<{ label: string; result: CliResult; printsSecret: boolean }> = [];
const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ home, ...extra });

async function cli(
  args: string[],
  extra: Partial<RunOptions> = {},
  printsSecret = false,
): Promise<CliResult> {
  const result = await runCli(args, opts(extra));
  outputs.push({ label: args.join(" "), result, printsSecret });
  return result;
}

interface LoginRun {
  /** The authorization URL the CLI printed. */
  url: URL;
  /** Writes the pasted answer and closes stdin (paste mode). */
  paste(text: string): void;
  done: Promise<CliResult>;
}

/** Starts `apikey … login …` and resolves once it has printed the authorization URL on stderr. */
function startLogin(args: string[]): Promise<LoginRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: home.homeDir,
      env: cliEnv(opts()),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let announced = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdin.on("error", () => {});
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    const done = new Promise<CliResult>((settle) => {
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        const result = { code, signal, stdout, stderr, elapsedMs: 0 };
        outputs.push({ label: args.join(" "), result, printsSecret: false });
        settle(result);
        if (!announced) reject(new Error(`login exited before printing a URL: ${stderr}`));
      });
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
      const found = /"url":"(http:\/\/127\.0\.0\.1:\d+\/auth\?[^"]+)"/.exec(stderr);
      if (found?.[1] && !announced) {
        announced = true;
        resolve({
          url: new URL(found[1]),
          paste: (text) => child.stdin.end(text),
          done,
        });
      }
    });
  });
}

/** The error document: the last line of stderr (a login prints its URL as a JSON line before it). */
function loginError(result: CliResult): string {
  const last = result.stderr.trim().split("\n").at(-1) ?? "";
  return jsonError({ ...result, stderr: last }).code;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// The providers a login needs are registered in process (what `oauth provider add` calls), and what a login or
// refresh left is read back in process; the logins, refreshes and refusals are what is tested and run the CLI.
const listKeys = (o: RunOptions) => inProcess(o.home, (app) => app.keys.list());
const revealed = (name: string) => inProcess(home, (app) => app.keys.reveal(name));
const auditLog = (limit: number) => inProcess(home, (app) => app.audit({ limit }));

beforeAll(async () => {
  server = await startOidcServer();
  home = await makeHome();
  await inProcess(home, (app) =>
    app.oauth.addProvider({
      name: "corp",
      issuer: server.issuer,
      clientId: server.clientId,
      scopes: ["keys:mint"],
    }),
  );
});

afterAll(async () => {
  await server?.close();
  await home?.cleanup();
});

describe("apikey login (loopback redirect)", () => {
  it("stores the tokens as an oauth key, masked, and answers the browser", async () => {
    const run = await startLogin(["--json", "login", "corp", "--no-browser"]);
    expect(run.url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(run.url.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(run.url.searchParams.get("state")).not.toBe("");
    const back = await server.authorize(run.url.href);
    const page = await fetch(back);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("close this tab");
    const result = jsonOut<{ key: { kind: string; name: string }; minted: boolean }>(await run.done);
    expect(result.minted).toBe(false);
    // One-shot: the listener is gone once the callback arrived.
    await expect(fetch(back)).rejects.toThrow();

    const keys = await listKeys(opts());
    const key = keys.find((k) => k.name === "corp");
    expect(key).toMatchObject({ kind: "oauth", source: "oauth", status: "active", active: true });
    const [access] = server.issuedTokens();
    expect(key?.masked).toBe(`${access?.slice(0, 3)}…${access?.slice(-4)}`);
  });

  it("reports a denied login as E_OAUTH_DENIED and stores nothing", async () => {
    const run = await startLogin(["--json", "login", "corp", "--no-browser", "--name", "denied"]);
    const back = await server.authorize(run.url.href, { deny: true });
    expect(back.searchParams.get("error")).toBe("access_denied");
    await fetch(back);
    const result = await run.done;
    expect(result.code).toBe(1);
    expect(loginError(result)).toBe("E_OAUTH_DENIED");
    expect((await listKeys(opts())).some((k) => k.name === "denied")).toBe(false);
  });

  it("item 12: answers a redirect whose state does not match 400 and keeps waiting for the right one", async () => {
    const run = await startLogin(["--json", "login", "corp", "--no-browser", "--name", "forged"]);
    const back = await server.authorize(run.url.href);
    const forged = new URL(back);
    forged.searchParams.set("state", "not-the-state-we-sent");
    const stray = await fetch(forged);
    expect(stray.status).toBe(400);
    expect(await stray.text()).not.toContain("Login received");
    // The real redirect still completes the login.
    const page = await fetch(back);
    expect(page.status).toBe(200);
    await page.text();
    const result = jsonOut<{ key: { name: string } }>(await run.done);
    expect(result.key.name).toBe("forged");
  });

  it("gives up after --timeout with nothing stored", async () => {
    const run = await startLogin([
      "--json",
      "login",
      "corp",
      "--no-browser",
      "--name",
      "late",
      "--timeout",
      "1",
    ]);
    const result = await run.done;
    expect(loginError(result)).toBe("E_OAUTH_CODE");
    expect((await listKeys(opts())).some((k) => k.name === "late")).toBe(false);
  });
});

describe("apikey login --paste", () => {
  it("accepts code#state", async () => {
    const run = await startLogin(["--json", "login", "corp", "--paste", "--no-browser", "--name", "pasted"]);
    const back = await server.authorize(run.url.href);
    run.paste(`${back.searchParams.get("code")}#${back.searchParams.get("state")}`);
    const result = jsonOut<{ key: { name: string; kind: string } }>(await run.done);
    expect(result.key).toMatchObject({ name: "pasted", kind: "oauth" });
  });

  it("accepts the full redirect address", async () => {
    const run = await startLogin([
      "--json",
      "login",
      "corp",
      "--paste",
      "--no-browser",
      "--name",
      "pasted-url",
    ]);
    const back = await server.authorize(run.url.href);
    run.paste(`${back.href}\n`);
    jsonOut(await run.done);
  });

  it("refuses code#state with another login's state", async () => {
    const run = await startLogin([
      "--json",
      "login",
      "corp",
      "--paste",
      "--no-browser",
      "--name",
      "pasted-bad",
    ]);
    const back = await server.authorize(run.url.href);
    run.paste(`${back.searchParams.get("code")}#someone-elses-state`);
    expect(loginError(await run.done)).toBe("E_OAUTH_STATE");
  });
});

describe("refresh", () => {
  it("oauth refresh persists new tokens and audits it", async () => {
    const before = await revealed("corp");
    const refreshesBefore = server.refreshCount();
    const refreshed = jsonOut<{ refreshed: boolean; expiresAt: string }>(
      await cli(["--json", "oauth", "refresh", "corp"]),
    );
    expect(refreshed.refreshed).toBe(true);
    expect(server.refreshCount()).toBe(refreshesBefore + 1);
    const after = await revealed("corp");
    expect(after).not.toBe(before);
    expect(server.issuedTokens()).toContain(after);
    // The refresh token rotated too: a second forced refresh works only if the new one was stored.
    jsonOut(await cli(["--json", "oauth", "refresh", "corp"]));
    const audit = await auditLog(5);
    expect(audit.filter((a) => a.action === "oauth.refresh").length).toBeGreaterThanOrEqual(2);
  });

  it("refuses to refresh a key that did not come from OAuth", async () => {
    const result = await cli(["--json", "oauth", "refresh", "nonexistent"]);
    expect(loginError(result)).toBe("E_KEY_NOT_FOUND");
  });
});

describe("apikey current with an access token about to expire", () => {
  let shortLived: OidcServer;
  let shortHome: TestHome;

  beforeAll(async () => {
    // 30 s tokens are always inside apikey's 60 s refresh margin, so no test has to wait for a clock.
    shortLived = await startOidcServer({ accessTokenTtl: 30 });
    shortHome = await makeHome();
  });
  afterAll(async () => {
    await shortLived?.close();
    await shortHome?.cleanup();
  });

  it("refreshes before printing", async () => {
    const o = { home: shortHome };
    await inProcess(shortHome, (app) =>
      app.oauth.addProvider({
        name: "short",
        issuer: shortLived.issuer,
        clientId: shortLived.clientId,
        scopes: ["keys:mint"],
      }),
    );
    const saved = home;
    home = shortHome;
    try {
      const run = await startLogin(["--json", "login", "short", "--paste", "--no-browser"]);
      const back = await shortLived.authorize(run.url.href);
      run.paste(back.href);
      jsonOut(await run.done);
    } finally {
      home = saved;
    }
    const [firstAccess] = shortLived.issuedTokens();
    const current = await runCli(["current"], o);
    expect(current.code).toBe(0);
    expect(shortLived.refreshCount()).toBe(1);
    const printed = current.stdout.trim();
    expect(printed).not.toBe(firstAccess);
    expect(shortLived.issuedTokens()).toContain(printed);
  });
});

describe("key minting", () => {
  it("exchanges the access token for an API key and stores that", async () => {
    await inProcess(home, (app) =>
      app.oauth.addProvider({
        name: "minter",
        issuer: server.issuer,
        clientId: server.clientId,
        scopes: ["keys:mint"],
        keyMintingUrl: server.mintUrl,
      }),
    );
    const run = await startLogin([
      "--json",
      "login",
      "minter",
      "--no-browser",
      "--no-validate",
      "--name",
      "minted",
    ]);
    await fetch(await server.authorize(run.url.href));
    const result = jsonOut<{ minted: boolean; key: { kind: string; source: string; masked: string } }>(
      await run.done,
    );
    expect(result.minted).toBe(true);
    expect(result.key).toMatchObject({
      kind: "api",
      source: "oauth",
      masked: `sk-ant-api03-…${MINTED_KEY.slice(-4)}`,
    });
  });
});

describe("errors", () => {
  it("unknown provider: E_OAUTH_PROVIDER_NOT_FOUND", async () => {
    expect(jsonError(await cli(["--json", "login", "nobody", "--no-browser"])).code).toBe(
      "E_OAUTH_PROVIDER_NOT_FOUND",
    );
  });

  it("an issuer that does not answer: E_OAUTH_UNREACHABLE, nothing stored", async () => {
    const port = await closedPort();
    const result = await cli([
      "--json",
      "oauth",
      "provider",
      "add",
      "dead",
      "--issuer",
      `http://127.0.0.1:${port}`,
      "--client-id",
      "x",
    ]);
    expect(loginError(result)).toBe("E_OAUTH_UNREACHABLE");
    const list = await inProcess(home, (app) => app.oauth.listProviders());
    expect(list.map((p) => p.name)).not.toContain("dead");
  });

  it("a token endpoint that does not answer during login: E_OAUTH_UNREACHABLE", async () => {
    const port = await closedPort();
    await inProcess(home, (app) =>
      app.oauth.addProvider({
        name: "gone",
        authorizationEndpoint: `${server.issuer}/auth`,
        tokenEndpoint: `http://127.0.0.1:${port}/token`,
        clientId: server.clientId,
      }),
    );
    const run = await startLogin(["--json", "login", "gone", "--paste", "--no-browser"]);
    const back = await server.authorize(run.url.href);
    run.paste(`${back.searchParams.get("code")}#${back.searchParams.get("state")}`);
    expect(loginError(await run.done)).toBe("E_OAUTH_UNREACHABLE");
  });

  it("plain http to a non-loopback host: E_OAUTH_CONFIG", async () => {
    const result = await cli([
      "--json",
      "oauth",
      "provider",
      "add",
      "insecure",
      "--issuer",
      "http://auth.example.com",
      "--client-id",
      "x",
    ]);
    expect(loginError(result)).toBe("E_OAUTH_CONFIG");
  });

  it("provider remove is audited; removing again: E_OAUTH_PROVIDER_NOT_FOUND", async () => {
    jsonOut(await cli(["--json", "oauth", "provider", "remove", "gone"]));
    expect(jsonError(await cli(["--json", "oauth", "provider", "remove", "gone"])).code).toBe(
      "E_OAUTH_PROVIDER_NOT_FOUND",
    );
    const audit = await auditLog(50);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["oauth.provider.add", "oauth.provider.remove", "oauth.login"]),
    );
  });
});

describe("canary", () => {
  it("no issued token appears in output (except reveal) or in any file under the data dir", async () => {
    const tokens = server.issuedTokens();
    expect(tokens.length).toBeGreaterThan(4);
    const needles = tokens.flatMap((t) => [
      t,
      Buffer.from(t).toString("base64"),
      Buffer.from(t).toString("hex"),
    ]);
    for (const { label, result, printsSecret } of outputs) {
      if (printsSecret) continue;
      for (const needle of needles) {
        expect(result.stdout, label).not.toContain(needle);
        expect(result.stderr, label).not.toContain(needle);
      }
    }
    expect(await filesContaining(home.root, needles)).toEqual([]);
    expect(await filesContaining(home.root, [MINTED_KEY])).toEqual([]);
  });
});
