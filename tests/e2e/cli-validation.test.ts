import { existsSync } from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  addKey,
  DEAD_BASE_URL,
  jsonError,
  type ListedKey,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
  validationOutcome,
} from "../fixtures/cli.ts";
import {
  ANTHROPIC_VERSIONS,
  type FakeAnthropic,
  type FakeStatus,
  startFakeAnthropic,
} from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeAdminKey, fakeApiKey, fakeOauthToken, keyBody } from "../fixtures/keys.ts";

// Each validation outcome of `add`, driven through the local fake. Outcome names are core's ValidationOutcome.

let fake: FakeAnthropic;
let home: TestHome;
const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ home, baseUrl: fake.url, ...extra });

beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(async () => {
  home = await makeHome();
});
afterEach(async () => {
  await home?.cleanup();
});

/**
 * What `list --json` would print, read back in process (the `add` and `validate` runs are what is tested). No store
 * file yet: nothing was stored, and reading must not create one.
 */
async function listed(): Promise<ListedKey[]> {
  if (!existsSync(home.storePath)) return [];
  return (await inProcess(home, (app) => app.keys.list())) as unknown as ListedKey[];
}

/**
 * A validated `add` as the CLI makes it, in process, for a test whose subject is a later command: core's add against
 * the fake, one GET /v1/models like the CLI's.
 */
function addValidated(name: string, secret: string) {
  return inProcess(home, (app) => app.keys.add({ name, secret, validate: true }), undefined, undefined, {
    ANTHROPIC_BASE_URL: fake.url,
  });
}

async function onlyRow(): Promise<ListedKey> {
  const rows = await listed();
  expect(rows).toHaveLength(1);
  return rows[0] as ListedKey;
}

describe("add validates against GET /v1/models", () => {
  it("200 → stored as valid; one request with the key, a version header, no retries", async () => {
    const key = fakeApiKey("VAL_200");
    fake.addValidKey(key);
    const r = await addKey("k", key, opts());
    expect(r.code, r.stderr).toBe(0);
    const reqs = fake.requestsFor(key);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]).toMatchObject({ method: "GET", path: "/v1/models", status: 200 });
    expect(reqs[0]?.auth).not.toBeNull();
    expect(ANTHROPIC_VERSIONS).toContain(reqs[0]?.anthropicVersion);
    expect(validationOutcome(await onlyRow())).toBe("valid");
  });

  it("401 authentication_error → E_KEY_INVALID, exit 1, nothing stored", async () => {
    const key = fakeApiKey("VAL_401");
    fake.setBehaviour(key, { status: 401 });
    const r = await addKey("k", key, opts());
    expect(r.code).toBe(1);
    expect(jsonError(r).code).toBe("E_KEY_INVALID");
    expect(r.stderr + r.stdout).not.toContain(keyBody(key));
    expect(fake.requestsFor(key)).toHaveLength(1);
    expect(await listed()).toEqual([]);
  });

  it("an unknown key (the fake's default 401) is refused the same way", async () => {
    const r = await addKey("k", fakeApiKey("VAL_UNKNOWN"), opts());
    expect(r.code).toBe(1);
    expect(jsonError(r).code).toBe("E_KEY_INVALID");
    expect(await listed()).toEqual([]);
  });

  const stored: Array<[FakeStatus, string, { retryAfter?: number }]> = [
    [403, "forbidden", {}],
    [429, "rate_limited", { retryAfter: 30 }],
    [402, "billing", {}],
    [500, "unverified", {}],
    [504, "unverified", {}],
    [529, "unverified", {}],
  ];
  for (const [status, outcome, extra] of stored) {
    it(`${status} → stored, marked ${outcome}`, async () => {
      const key = fakeApiKey(`VAL_${status}`);
      fake.setBehaviour(key, { status, ...extra });
      const r = await addKey("k", key, opts());
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(keyBody(key));
      // maxRetries 0: a retryable status is still asked about once.
      expect(fake.requestsFor(key)).toHaveLength(1);
      const row = await onlyRow();
      expect(row.status).toBe("active");
      expect(validationOutcome(row)).toBe(outcome);
      if (outcome === "unverified") expect(r.stdout + r.stderr).toMatch(/verif/i);
    });
  }

  it("a network failure → stored unverified, and the CLI says so", async () => {
    const key = fakeApiKey("VAL_NET");
    const r = await addKey("k", key, opts({ baseUrl: DEAD_BASE_URL }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/verif/i);
    expect(validationOutcome(await onlyRow())).toBe("unverified");
  });

  it("a hanging server → unverified after APIKEY_VALIDATE_TIMEOUT_MS", async () => {
    const key = fakeApiKey("VAL_HANG");
    fake.setBehaviour(key, { status: 200, hang: true });
    const r = await addKey("k", key, opts({ env: { APIKEY_VALIDATE_TIMEOUT_MS: "500" } }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(450);
    expect(r.elapsedMs).toBeLessThan(8_000);
    expect(r.stdout + r.stderr).toMatch(/verif/i);
    expect(validationOutcome(await onlyRow())).toBe("unverified");
  });

  it("a slow but answering server within the timeout → valid", async () => {
    const key = fakeApiKey("VAL_SLOW");
    fake.setBehaviour(key, { status: 200, delayMs: 300 });
    const r = await addKey("k", key, opts({ env: { APIKEY_VALIDATE_TIMEOUT_MS: "5000" } }));
    expect(r.code, r.stderr).toBe(0);
    expect(validationOutcome(await onlyRow())).toBe("valid");
  });

  it("--no-validate stores the key without any request", async () => {
    const key = fakeApiKey("VAL_SKIP");
    const before = fake.requests.length;
    const r = await addKey("k", key, opts(), ["--no-validate"]);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests.length).toBe(before);
    expect((await onlyRow()).name).toBe("k");
  });
});

describe("validate <name>", () => {
  it("records a later change of outcome on a stored key", async () => {
    const key = fakeApiKey("VAL_LATER");
    fake.addValidKey(key);
    // The stored key to start from, validated in process (one request); `validate` is what is tested.
    await addValidated("k", key);
    expect(validationOutcome(await onlyRow())).toBe("valid");

    fake.setBehaviour(key, { status: 429, retryAfter: 5 });
    await runCli(["--json", "validate", "k"], opts());
    expect(validationOutcome(await onlyRow())).toBe("rate_limited");

    fake.setBehaviour(key, { status: 401 });
    const revoked = await runCli(["--json", "validate", "k"], opts());
    expect(revoked.stderr + revoked.stdout).not.toContain(keyBody(key));
    const row = await onlyRow();
    expect(validationOutcome(row)).toBe("invalid");
    expect(fake.requestsFor(key)).toHaveLength(3);
  });
});

describe("key kinds", () => {
  it("recognises admin keys and OAuth tokens by prefix", async () => {
    const admin = fakeAdminKey("VAL_ADMIN");
    const oauth = fakeOauthToken("VAL_OAUTH");
    expect((await addKey("adm", admin, opts(), ["--no-validate"])).code).toBe(0);
    expect((await addKey("tok", oauth, opts(), ["--no-validate"])).code).toBe(0);
    const rows = await listed();
    expect(rows.find((k) => k.name === "adm")?.kind).toBe("admin");
    expect(rows.find((k) => k.name === "tok")?.kind).toBe("oauth");
    expect(JSON.stringify(rows)).not.toContain(keyBody(admin));
    expect(JSON.stringify(rows)).not.toContain(keyBody(oauth));
  });
});
