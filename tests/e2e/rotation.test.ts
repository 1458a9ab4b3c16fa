import { loadConfig, Vault } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  addKey,
  type CliResult,
  jsonError,
  jsonOut,
  type ListedKey,
  listKeys,
  makeHome,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import {
  type FakeAnthropic,
  type OrgApiKey,
  orgApiKey,
  startFakeAnthropic,
} from "../fixtures/fake-anthropic.ts";
import { inProcess, listedKeys } from "../fixtures/in-process.ts";
import { fakeAdminKey, fakeApiKey, keyBody } from "../fixtures/keys.ts";
import { storeTemplate } from "../fixtures/store-template.ts";

// `apikey rotate` through the real CLI against the local Anthropic stand-in. The rotate runs (and --finish, and the
// list and status that show the age flag) are the subject; the keys added beside `work`, and the key list, audit
// trail and active key read back after a run, go through the same use cases in process.

const OLD = fakeApiKey("ROT_OLD");
const NEW = fakeApiKey("ROT_NEW");
const THIRD = fakeApiKey("ROT_THIRD");
const OTHER = fakeApiKey("ROT_OTHER");
const BAD = fakeApiKey("ROT_BAD");
const ADMIN = fakeAdminKey("ROT_ADMIN");
const ALL_SECRETS = [OLD, NEW, THIRD, OTHER, BAD, ADMIN];

interface RotateJson {
  changed: boolean;
  old: ListedKey;
  new: ListedKey;
  deactivation: {
    plan: string;
    id: number | null;
    dueAt: string | null;
    outcome: { state: string; upstreamId: string | null; error: string | null } | null;
    reason: string | null;
  };
}
interface AuditRow {
  action: string;
  keyId: string | null;
  details: Record<string, unknown>;
}

let fake: FakeAnthropic;
let home: TestHome;
let opts: RunOptions;

function rotate(
  name: string,
  secret: string,
  extra: string[] = [],
  o: RunOptions = opts,
): Promise<CliResult> {
  return runCli(["--json", "rotate", ...extra, name], { ...o, stdin: secret });
}

function expectNoSecrets(r: CliResult) {
  for (const s of ALL_SECRETS) expect(r.stdout + r.stderr).not.toContain(keyBody(s));
}

/** What `audit --limit 1000 --json` prints, read in process (through JSON, as the CLI writes it). */
async function audit(): Promise<AuditRow[]> {
  return JSON.parse(JSON.stringify(await inProcess(home, (app) => app.audit({ limit: 1000 }))));
}

/** What `current` prints, read in process. */
function current(): Promise<string> {
  return inProcess(home, async (app) => (await app.active()).secret);
}

/** `add NAME` without validation, in process: a key beside `work` that the test starts from. */
function addInProcess(name: string, secret: string): Promise<unknown> {
  return inProcess(home, (app) => app.keys.add({ name, secret, validate: false }));
}

/** The organisation's keys as the fake now holds them, read through its Admin API like any client. */
async function orgKeys(): Promise<OrgApiKey[]> {
  const res = await fetch(`${fake.url}/v1/organizations/api_keys?limit=1000`, {
    headers: { "x-api-key": ADMIN, "anthropic-version": "2023-06-01" },
  });
  return ((await res.json()) as { data: OrgApiKey[] }).data;
}

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [OLD, NEW, THIRD, OTHER], adminKeys: [ADMIN] });
});
afterAll(async () => {
  await fake?.close();
});
// Every test starts from one validated key named `work`: made once by the CLI, copied into each home.
const withWork = storeTemplate(
  (h) => ({ home: h, baseUrl: fake.url }),
  async (o) => {
    expect((await addKey("work", OLD, o)).code).toBe(0);
  },
);
beforeEach(async () => {
  home = await makeHome();
  opts = { home, baseUrl: fake.url };
  fake.clearBehaviour(ADMIN);
  fake.clearBehaviour(BAD);
  await withWork.copyTo(home);
});
afterEach(async () => {
  await home?.cleanup();
});

describe("apikey rotate", () => {
  it("replaces the key: the new one takes the name and the active slot, the old one is rotated and linked", async () => {
    const r = await rotate("work", NEW);
    const out = jsonOut<RotateJson>(r);
    expectNoSecrets(r);
    expect(out.changed).toBe(true);
    expect(out.new).toMatchObject({ name: "work", status: "active", active: true });
    expect(out.old).toMatchObject({ name: "work", status: "rotated", active: false });
    expect(await current()).toBe(NEW);

    const keys = await listedKeys(home);
    expect(keys.map((k) => [k.id, k.status, k.active])).toEqual(
      expect.arrayContaining([
        [out.old.id, "rotated", false],
        [out.new.id, "active", true],
      ]),
    );
    const store = await openStore({ path: home.storePath });
    try {
      expect((await store.keys.byId(out.old.id))?.rotatedToId).toBe(out.new.id);
      expect((await store.keys.byId(out.new.id))?.rotatedFromId).toBe(out.old.id);
    } finally {
      await store.close();
    }
    const rows = await audit();
    const entry = rows.find((a) => a.action === "key.rotate");
    expect(entry?.details).toMatchObject({ name: "work", oldId: out.old.id, newId: out.new.id });
    expect(JSON.stringify(rows)).not.toContain(keyBody(NEW));
    // The fake saw the new key validated before anything was written.
    expect(fake.requestsFor(NEW).some((q) => q.path === "/v1/models")).toBe(true);
  });

  it("is idempotent: the same new key again succeeds, changes nothing and writes no audit entry", async () => {
    const first = jsonOut<RotateJson>(await rotate("work", NEW));
    const before = { keys: await listedKeys(home), audit: await audit() };
    const again = jsonOut<RotateJson>(await rotate("work", NEW));
    expect(again.changed).toBe(false);
    expect(again.new.id).toBe(first.new.id);
    expect(again.old.id).toBe(first.old.id);
    expect(await listedKeys(home)).toEqual(before.keys);
    expect(await audit()).toEqual(before.audit);
    // Rotating on to a third key still works after that.
    expect(jsonOut<RotateJson>(await rotate("work", THIRD)).changed).toBe(true);
    expect(await current()).toBe(THIRD);
  });

  it("refuses the key it already holds, and a key stored elsewhere, writing nothing", async () => {
    await addInProcess("other", OTHER);
    const before = { keys: await listedKeys(home), audit: await audit() };

    const same = await rotate("work", OLD);
    expect(same.code).toBe(1);
    expect(jsonError(same).code).toBe("E_ROTATE_SAME_KEY");

    const dup = await rotate("work", OTHER);
    expect(dup.code).toBe(1);
    const err = jsonError(dup);
    expect(err.code).toBe("E_KEY_DUPLICATE");
    expect(err.message).toContain('"other"');
    expectNoSecrets(dup);

    expect(await listedKeys(home)).toEqual(before.keys);
    expect(await audit()).toEqual(before.audit);
  });

  it("changes nothing when the new key fails validation", async () => {
    fake.setBehaviour(BAD, { status: 401 });
    const before = { keys: await listedKeys(home), audit: await audit() };
    const r = await rotate("work", BAD);
    expect(r.code).toBe(1);
    expect(jsonError(r).code).toBe("E_KEY_INVALID");
    expect(await listedKeys(home)).toEqual(before.keys);
    expect(await audit()).toEqual(before.audit);
    expect(await current()).toBe(OLD);
  });

  it("refuses a missing key, a malformed new key and a bad grace period before reading the store", async () => {
    const missing = await rotate("nope", NEW);
    expect(jsonError(missing).code).toBe("E_KEY_NOT_FOUND");
    const malformed = await rotate("work", "sk-ant-api03-short");
    expect(jsonError(malformed).code).toBe("E_KEY_FORMAT");
    const grace = await rotate("work", NEW, ["--grace", "15"]);
    expect(grace.code).toBe(2);
    expect(jsonError(grace).code).toBe("E_USAGE");
    expect(await current()).toBe(OLD);
  });

  it("carries the budget, organisation and status over; an inactive key's rotation leaves the active one alone", async () => {
    await addInProcess("spare", OTHER);
    const store = await openStore({ path: home.storePath });
    try {
      const spare = await store.keys.byName("default", "spare");
      await store.keys.update(spare?.id ?? "", {
        monthlyBudgetUsd: 25,
        budgetMode: "block",
        organization: "org_x",
      });
    } finally {
      await store.close();
    }
    const out = jsonOut<RotateJson>(await rotate("spare", NEW));
    expect(out.new).toMatchObject({ name: "spare", active: false, status: "active", organization: "org_x" });
    expect(await current()).toBe(OLD);
    const after = await openStore({ path: home.storePath });
    try {
      expect(await after.keys.byId(out.new.id)).toMatchObject({ monthlyBudgetUsd: 25, budgetMode: "block" });
    } finally {
      await after.close();
    }
  });

  it("with no Admin key, rotates locally and says the old key must be deactivated in the Console", async () => {
    const r = await rotate("work", NEW, ["--grace", "0"]);
    const out = jsonOut<RotateJson>(r);
    expect(out.deactivation.plan).toBe("manual");
    expect(out.deactivation.reason).toMatch(/Console/);
    expect(fake.requests.some((q) => q.path.startsWith("/v1/organizations"))).toBe(false);
    expect(await current()).toBe(NEW);
  });
});

describe("upstream deactivation with an Admin key", () => {
  // Enough keys for the lookup to page (the client asks for 100 at a time), the old one last.
  const filler = Array.from({ length: 130 }, (_, i) => orgApiKey(`filler-${i}`, fakeApiKey(`ROT_FILL_${i}`)));

  beforeEach(async () => {
    fake.setOrgApiKeys([...filler, orgApiKey("other", OTHER), orgApiKey("work", OLD)]);
    fake.clearRequests();
    await addInProcess("admin", ADMIN);
  });

  const upstreamStatus = async (secret: string) =>
    (await orgKeys()).find((k) => k.id === orgApiKey("", secret).id)?.status;

  it("--grace 0 deactivates the old key upstream in the same run, and only that key", async () => {
    const r = await rotate("work", NEW, ["--grace", "0"]);
    const out = jsonOut<RotateJson>(r);
    expectNoSecrets(r);
    expect(out.deactivation.outcome).toMatchObject({ state: "done", upstreamId: orgApiKey("", OLD).id });
    expect(await upstreamStatus(OLD)).toBe("inactive");
    expect(await upstreamStatus(OTHER)).toBe("active");
    const lists = fake.requestsFor(ADMIN).filter((q) => q.method === "GET");
    expect(lists.some((q) => q.query.after_id !== undefined)).toBe(true);
    expect((await audit()).some((a) => a.action === "key.deactivate")).toBe(true);
    // Nothing left to finish.
    const finish = await runCli(["--json", "rotate", "--finish", "work"], opts);
    expect(jsonOut<{ deactivations: unknown[] }>(finish).deactivations).toEqual([]);
  });

  it("with a grace period, owes the deactivation as a pending row that --finish does only once it is due", async () => {
    const out = jsonOut<RotateJson>(await rotate("work", NEW, ["--grace", "2h"]));
    expect(out.deactivation.plan).toBe("pending");
    expect(Date.parse(out.deactivation.dueAt ?? "")).toBeGreaterThan(Date.now() + 3_600_000);
    const finish = await runCli(["--json", "rotate", "--finish", "work"], opts);
    expect(jsonOut<{ deactivations: unknown[] }>(finish).deactivations).toEqual([]);
    expect(await upstreamStatus(OLD)).toBe("active");
    const store = await openStore({ path: home.storePath });
    try {
      expect(await store.deactivations.list({ state: "pending" })).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  for (const failure of ["500", "timeout"] as const) {
    it(`an Admin API ${failure} keeps the local rotation, warns, audits, and --finish succeeds later`, async () => {
      fake.setBehaviour(ADMIN, failure === "500" ? { status: 500 } : { status: 200, hang: true });
      const slow: RunOptions = { ...opts, env: { APIKEY_VALIDATE_TIMEOUT_MS: "400" } };
      const r = await rotate("work", NEW, ["--grace", "0"], slow);
      const out = jsonOut<RotateJson>(r);
      expectNoSecrets(r);
      expect(out.changed).toBe(true);
      expect(out.deactivation.outcome?.state).toBe("pending");
      expect(r.stderr).toMatch(/warning:/);
      expect(await current()).toBe(NEW);
      const failed = (await audit()).find((a) => a.action === "key.deactivate_failed");
      expect(failed?.details).toMatchObject({ state: "pending" });

      // Still failing: --finish says so with a failure exit, and the row stays pending. It validates no key: its
      // only requests are the Admin API's, so a hanging one may be given up on sooner still.
      const sooner: RunOptions = { ...opts, env: { APIKEY_VALIDATE_TIMEOUT_MS: "100" } };
      const stillBad = await runCli(
        ["--json", "rotate", "--finish", "work"],
        failure === "timeout" ? sooner : slow,
      );
      expect(stillBad.code).toBe(1);
      expect(JSON.parse(stillBad.stdout).deactivations[0].state).toBe("pending");

      fake.clearBehaviour(ADMIN);
      const done = await runCli(["--json", "rotate", "--finish", "work"], opts);
      expect(jsonOut<{ deactivations: Array<{ state: string }> }>(done).deactivations).toMatchObject([
        { state: "done" },
      ]);
      expect(await upstreamStatus(OLD)).toBe("inactive");
    });
  }

  it("an Admin key the API refuses marks the row failed (needs the person), never undoing the rotation", async () => {
    fake.setBehaviour(ADMIN, { status: 403 });
    const out = jsonOut<RotateJson>(await rotate("work", NEW, ["--grace", "0"]));
    expect(out.deactivation.outcome?.state).toBe("failed");
    expect(await current()).toBe(NEW);
  });

  it("a key the organisation does not list is reported, not guessed", async () => {
    fake.setOrgApiKeys(filler);
    const out = jsonOut<RotateJson>(await rotate("work", NEW, ["--grace", "0"]));
    expect(out.deactivation.outcome).toMatchObject({ state: "failed", upstreamId: null });
    expect(fake.requestsFor(ADMIN).some((q) => q.method === "POST")).toBe(false);
  });
});

describe("the rotation age flag", () => {
  it("flags keys older than the limit in list and status, and follows --max-age-days", async () => {
    // A key created 100 days ago, through the same core the CLI uses.
    const store = await openStore({ path: home.storePath });
    try {
      const config = loadConfig({ APIKEY_HOME: home.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY });
      const vault = new Vault({
        store,
        config,
        actor: "test",
        front: "api",
        now: () => new Date(Date.now() - 100 * 86_400_000),
      });
      await vault.add({ name: "ancient", secret: OTHER, validate: false });
    } finally {
      await store.close();
    }
    const due = (keys: ListedKey[]) => Object.fromEntries(keys.map((k) => [k.name, k.rotationDue]));
    expect(due(await listKeys(opts))).toEqual({ work: false, ancient: true });
    const status = jsonOut<{ rotationDue: boolean; rotationDueKeys: string[] }>(
      await runCli(["--json", "status"], opts),
    );
    expect(status).toMatchObject({ rotationDue: true, rotationDueKeys: ["default/ancient"] });
    expect((await runCli(["list"], opts)).stdout).toMatch(/ancient.*rotation due/);

    expect((await runCli(["--json", "rotate", "--max-age-days", "120"], opts)).code).toBe(0);
    expect(due(await listedKeys(home))).toEqual({ work: false, ancient: false });
    expect((await audit()).some((a) => a.action === "settings.set")).toBe(true);
    const bad = await runCli(["--json", "rotate", "--max-age-days", "-3"], opts);
    expect(bad.code).toBe(2);

    // Rotating the old key clears the flag: its successor is new. The limit back at 90 days (in process: the
    // setting itself was the CLI's subject above) flags the old key again first.
    await inProcess(home, (app) => app.settings.setMaxAgeDays(90));
    expect(due(await listedKeys(home))).toEqual({ work: false, ancient: true });
    expect((await rotate("ancient", THIRD)).code).toBe(0);
    expect(due(await listedKeys(home))).toEqual({ work: false, ancient: false });
  });
});
