import { existsSync } from "node:fs";
import { join } from "node:path";
import { createAnthropicClient, loadConfig, storeLocationFrom } from "@apikey/core";
import { startGateway } from "@apikey/gateway";
import { openApikeyFromEnv } from "@apikey/storage/from-env";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKey, makeHome, runCli, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { ROOT } from "../fixtures/structure/workspace-sources.ts";

// Issue 21, "one public entry to core": every front opens apikey the same way (openApikeyFromEnv: environment →
// config → which store → openApikey), the app hands out no session, and the gateway and the instrumented SDK client
// take the app. The store choice is one function: places that looked at the SQLite file by themselves (shell
// completion) now follow APIKEY_DATABASE_URL like every command.

const KEY = fakeApiKey("ISSUE21ENTRY");
let home: TestHome;
let fake: FakeAnthropic;
const env = () => ({
  APIKEY_HOME: home.dataDir,
  APIKEY_MASTER_KEY: TEST_MASTER_KEY,
  ANTHROPIC_BASE_URL: fake.url,
});

beforeAll(async () => {
  home = await makeHome();
  fake = await startFakeAnthropic({ validKeys: [KEY] });
});

afterAll(async () => {
  await fake?.close();
  await home?.cleanup();
});

describe("issue 21: one way to pick the store", () => {
  it("blank, spaced or unset APIKEY_DATABASE_URL is the SQLite file; anything else is PostgreSQL", () => {
    const dir = "/tmp/apikey-issue21";
    for (const url of [undefined, "", "   "]) {
      expect(storeLocationFrom({ APIKEY_HOME: dir, APIKEY_DATABASE_URL: url })).toEqual({
        kind: "sqlite",
        path: join(dir, "apikey.db"),
        dataDir: dir,
      });
    }
    expect(storeLocationFrom({ APIKEY_HOME: dir, APIKEY_DATABASE_URL: " postgres://db/x " })).toMatchObject({
      kind: "postgres",
      url: "postgres://db/x",
    });
    // The config carries the same choice, so no front reads the variable itself.
    expect(loadConfig({ APIKEY_HOME: dir, APIKEY_DATABASE_URL: "postgres://db/x" }).store.kind).toBe(
      "postgres",
    );
  });

  it("a non-postgres APIKEY_DATABASE_URL is a usage error naming the variable, and creates nothing", async () => {
    const empty = await makeHome();
    try {
      const err = await openApikeyFromEnv({
        env: { APIKEY_HOME: empty.dataDir, APIKEY_DATABASE_URL: "mysql://user:hunter2@db/x" },
        actor: "test",
        front: "api",
        storeOptions: { ifMissing: "create" },
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "E_USAGE", details: { variable: "APIKEY_DATABASE_URL" } });
      expect(String((err as Error).message)).not.toContain("hunter2");
      expect(existsSync(join(empty.dataDir, "apikey.db"))).toBe(false);
    } finally {
      await empty.cleanup();
    }
  });

  it("shell completion offers no names from the SQLite file when APIKEY_DATABASE_URL names another store", async () => {
    const opts = { home };
    expect((await addKey("sqlite-only", KEY, opts, ["--no-validate"])).code).toBe(0);
    expect((await runCli(["__complete", "keys"], opts)).stdout).toContain("sqlite-only");
    const elsewhere = await runCli(["__complete", "keys"], {
      ...opts,
      env: { APIKEY_DATABASE_URL: "postgres://127.0.0.1:9/apikey" },
    });
    expect(elsewhere.stdout).not.toContain("sqlite-only");
  });
});

describe("issue 21: the app is the one entry; the gateway and the client take it", () => {
  it("openApikeyFromEnv opens the store the environment names, and the app hands out no vault", async () => {
    const app = await openApikeyFromEnv({ env: env(), actor: "test", front: "api" });
    try {
      expect("vault" in app).toBe(false);
      expect((await app.keys.list()).map((k) => k.name)).toContain("sqlite-only");
    } finally {
      await app.close();
    }
  });

  it("startGateway({ app }) and createAnthropicClient({ app }) meter through app.metering", async () => {
    const app = await openApikeyFromEnv({ env: env(), actor: "test", front: "api" });
    try {
      await app.keys.use("sqlite-only");
      const { token } = await app.tokens.create({ name: "issue21" });
      const gateway = await startGateway({ app, port: 0, upstream: fake.url });
      try {
        const res = await fetch(`${gateway.url}/v1/messages`, {
          method: "POST",
          headers: {
            "x-api-key": token,
            "content-type": "application/json",
            "anthropic-version": "2023-06-01",
          },
          body: JSON.stringify({
            model: "claude-sonnet-4-5",
            max_tokens: 16,
            messages: [{ role: "user", content: "hi" }],
          }),
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      } finally {
        await gateway.close({ graceMs: 0 });
      }
      const client = await createAnthropicClient({ app, sdk: { maxRetries: 0 } });
      await client.messages.create({
        model: "claude-sonnet-4-5",
        max_tokens: 16,
        messages: [{ role: "user", content: "hi" }],
      });
      const report = await app.usage.report({ since: new Date(Date.now() - 60_000), by: "key" });
      expect(report.totals.requests).toBe(2);
    } finally {
      await app.close();
    }
  });
});

/**
 * The properties of the option types the public entries export, as the TypeScript checker sees them (inherited and
 * aliased ones included), so the check follows the types wherever their declarations move.
 */
function publicOptionKeys(): Record<string, string[]> {
  const entries = {
    GatewayOptions: join(ROOT, "packages/gateway/src/index.ts"),
    AnthropicClientOptions: join(ROOT, "packages/core/src/index.ts"),
  };
  const { config } = ts.readConfigFile(join(ROOT, "tsconfig.base.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const program = ts.createProgram(Object.values(entries), options);
  const checker = program.getTypeChecker();
  const keys: Record<string, string[]> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const file = program.getSourceFile(entry);
    const module = file && checker.getSymbolAtLocation(file);
    const exported = module && checker.getExportsOfModule(module).find((s) => s.name === name);
    if (!exported) throw new Error(`${name} is not exported by ${entry}`);
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    keys[name] = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)).map((p) => p.name);
  }
  return keys;
}

describe("issue 21: the gateway and the client take only the app", () => {
  it("neither GatewayOptions nor AnthropicClientOptions has a `vault` (the session from before openApikey)", () => {
    const keys = publicOptionKeys();
    // The check sees the options at all: both take the app.
    expect(keys.GatewayOptions).toContain("app");
    expect(keys.AnthropicClientOptions).toContain("app");
    expect(keys.GatewayOptions).not.toContain("vault");
    expect(keys.AnthropicClientOptions).not.toContain("vault");
    // The checker reads both packages' sources: seconds on a busy machine.
  }, 120_000);
});
