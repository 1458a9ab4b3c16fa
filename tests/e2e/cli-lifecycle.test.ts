import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addKey,
  jsonError,
  jsonOut,
  type ListedKey,
  listKeys,
  makeHome,
  type RunOptions,
  runCli,
  STORE_FILE,
  type TestHome,
  validationOutcome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey, keyBody } from "../fixtures/keys.ts";

// One store walked through the whole key lifecycle in order; each step relies on the one before.

const WORK = fakeApiKey("LIFECYCLE_WORK");
const CI = fakeApiKey("LIFECYCLE_CI");
const FROM_ENV = fakeApiKey("LIFECYCLE_ENV");
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

let fake: FakeAnthropic;
let home: TestHome;
const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ home, baseUrl: fake.url, ...extra });

function expectNoSecret(text: string) {
  for (const secret of [WORK, CI, FROM_ENV]) expect(text).not.toContain(keyBody(secret));
}

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [WORK, CI, FROM_ENV] });
  home = await makeHome();
});
afterAll(async () => {
  await fake?.close();
  await home?.cleanup();
});

const byName = (rows: ListedKey[], name: string) => rows.find((r) => r.name === name);
// Each step's command is what is tested and runs the CLI; reading back what a step left (the list, the active
// key's secret) goes through the same use cases in process, unless the read is the step's subject.
const listed = async () => (await inProcess(home, (app) => app.keys.list())) as unknown as ListedKey[];
const activeSecret = () => inProcess(home, async (app) => (await app.active()).secret);

describe("key lifecycle through the CLI", () => {
  it("add reads the secret from stdin, validates it and stores it", async () => {
    const r = await addKey("work", WORK, opts());
    expect(r.code, r.stderr).toBe(0);
    expectNoSecret(r.stdout + r.stderr);
    expect(fake.requestsFor(WORK)).toHaveLength(1);
    expect(fake.requestsFor(WORK)[0]).toMatchObject({ method: "GET", path: "/v1/models", status: 200 });
  });

  it("creates the store 0600 in a 0700 directory", async () => {
    expect((await stat(home.dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(home.dataDir, STORE_FILE))).mode & 0o777).toBe(0o600);
  });

  it("list --json gives the documented fields and never the secret", async () => {
    const r = await runCli(["--json", "list"], opts());
    expectNoSecret(r.stdout + r.stderr);
    const rows = jsonOut<ListedKey[]>(r);
    expect(rows).toHaveLength(1);
    const row = rows[0] as ListedKey;
    for (const field of [
      "id",
      "name",
      "profile",
      "kind",
      "source",
      "status",
      "active",
      "masked",
      "createdAt",
      "lastUsedAt",
      "validation",
    ]) {
      expect(row, `field ${field}`).toHaveProperty(field);
    }
    expect(row).toMatchObject({
      name: "work",
      profile: "default",
      kind: "api",
      source: "manual",
      status: "active",
    });
    expect(validationOutcome(row)).toBe("valid");
    expect(row.masked).not.toBe(WORK);
    expect(row.masked.endsWith(WORK.slice(-4))).toBe(true);
    expect(row.masked.length).toBeLessThan(40);
    expect(Number.isNaN(Date.parse(row.createdAt))).toBe(false);
  });

  it("use makes the key active", async () => {
    const r = await runCli(["--json", "use", "work"], opts());
    expect(r.code, r.stderr).toBe(0);
    expectNoSecret(r.stdout + r.stderr);
    expect(byName(await listed(), "work")?.active).toBe(true);
  });

  it("current prints exactly the secret and a newline", async () => {
    const r = await runCli(["current"], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${WORK}\n`);
    expect(r.stderr).toBe("");
  });

  it("env prints an export line a shell can eval", async () => {
    const r = await runCli(["env"], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^export ANTHROPIC_API_KEY=/m);
    // Evaluate it in a real shell; the secret goes through stdin, never argv.
    const sh = spawnSync("/bin/sh", ["-c", 'eval "$(cat)"; printf %s "$ANTHROPIC_API_KEY"'], {
      input: r.stdout,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    expect(sh.status).toBe(0);
    expect(sh.stdout).toBe(WORK);
  });

  it("exec runs the command with ANTHROPIC_API_KEY set and passes its exit code through", async () => {
    const script =
      "process.stdout.write(require('node:crypto').createHash('sha256')" +
      ".update(process.env.ANTHROPIC_API_KEY||'').digest('hex'));process.exit(7)";
    const r = await runCli(["exec", "--", process.execPath, "-e", script], opts());
    expect(r.code).toBe(7);
    expect(r.stdout).toBe(sha256(WORK));

    const ok = await runCli(["exec", "--", process.execPath, "-e", "process.exit(0)"], opts());
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("rename keeps the key and its active state", async () => {
    const r = await runCli(["--json", "rename", "work", "main"], opts());
    expect(r.code, r.stderr).toBe(0);
    const rows = await listed();
    expect(rows.map((k) => k.name)).toEqual(["main"]);
    expect(byName(rows, "main")?.active).toBe(true);
    expect(await activeSecret()).toBe(WORK);
  });

  it("disable stops current from handing out the key", async () => {
    const r = await runCli(["--json", "disable", "main"], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(byName(await listed(), "main")?.status).toBe("disabled");

    const cur = await runCli(["--json", "current"], opts());
    expect(cur.code).toBe(1);
    expect(cur.stdout).toBe("");
    expect(["E_KEY_DISABLED", "E_NO_ACTIVE_KEY"]).toContain(jsonError(cur).code);
    expectNoSecret(cur.stderr);
  });

  it("enable restores it", async () => {
    const r = await runCli(["--json", "enable", "main"], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(byName(await listed(), "main")?.status).toBe("active");
    expect(await activeSecret()).toBe(WORK);
  });

  it("validate asks the API again and records the outcome", async () => {
    const before = fake.requestsFor(WORK).length;
    const r = await runCli(["--json", "validate", "main"], opts());
    expect(r.code, r.stderr).toBe(0);
    expectNoSecret(r.stdout + r.stderr);
    expect(fake.requestsFor(WORK)).toHaveLength(before + 1);
    expect(validationOutcome(byName(await listed(), "main") as ListedKey)).toBe("valid");
  });

  it("profiles: create and list", async () => {
    expect((await runCli(["--json", "profile", "create", "staging"], opts())).code).toBe(0);
    expect(await profileNames()).toEqual(expect.arrayContaining(["default", "staging"]));
  });

  it("--profile scopes add, use, current and list", async () => {
    const staging = opts();
    const add = await runCli(["--profile", "staging", "--json", "add", "ci"], { ...staging, stdin: CI });
    expect(add.code, add.stderr).toBe(0);
    expect((await runCli(["--profile", "staging", "--json", "use", "ci"], staging)).code).toBe(0);

    expect((await runCli(["--profile", "staging", "current"], staging)).stdout).toBe(`${CI}\n`);
    expect((await runCli(["current"], staging)).stdout).toBe(`${WORK}\n`);

    const rows = await listKeys(staging, "staging");
    expect(byName(rows, "ci")).toMatchObject({ profile: "staging", active: true });
    expect(rows.filter((k) => k.profile === "default")).toEqual([]);
    expect(byName(await listKeys(staging), "main")?.profile).toBe("default");
  });

  it("profile delete removes an emptied profile", async () => {
    const del = await runCli(["--profile", "staging", "--json", "delete", "--yes", "ci"], opts());
    expect(del.code, del.stderr).toBe(0);
    const r = await runCli(["--json", "profile", "delete", "staging"], opts());
    expect(r.code, r.stderr).toBe(0);
    const left = await inProcess(home, (app) => app.profiles.list());
    expect(left.map((p) => p.name)).not.toContain("staging");
  });

  it("delete --yes removes the key; current then has nothing to give", async () => {
    const r = await runCli(["--json", "delete", "--yes", "main"], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(await listed()).toEqual([]);
    const cur = await runCli(["--json", "current"], opts());
    expect(cur.code).toBe(1);
    expect(cur.stdout).toBe("");
    expect(jsonError(cur).code).toBe("E_NO_ACTIVE_KEY");
  });

  it("add --from-env imports ANTHROPIC_API_KEY", async () => {
    const env = opts({ env: { ANTHROPIC_API_KEY: FROM_ENV } });
    const r = await runCli(["--json", "add", "--from-env", "imported"], env);
    expect(r.code, r.stderr).toBe(0);
    expectNoSecret(r.stdout + r.stderr);
    const row = byName(await listed(), "imported");
    expect(row?.kind).toBe("api");
    expect(["env", "import"]).toContain(row?.source);
    await inProcess(home, (app) => app.keys.use("imported"));
    expect(await activeSecret()).toBe(FROM_ENV);
  });

  it("audit --json has an entry per mutation, with actor, front and action, and no secret", async () => {
    const r = await runCli(["--json", "audit"], opts());
    expectNoSecret(r.stdout + r.stderr);
    const entries = jsonOut<Array<{ actor: string; front: string; action: string }>>(r);
    for (const e of entries) {
      expect(e.actor).toMatch(/^cli:/);
      expect(e.front).toBe("cli");
      expect(e.action).toEqual(expect.any(String));
    }
    const actions = entries.map((e) => e.action.toLowerCase());
    // Action names are the CLI's to choose; each mutation must be recognisable in one.
    for (const pattern of [
      /add|create.*key|import/,
      /use|activ/,
      /renam/,
      /disabl/,
      /enabl/,
      /validat/,
      /delet|remov/,
    ]) {
      expect(
        actions.some((a) => pattern.test(a)),
        `an audit action matching ${pattern} in ${actions}`,
      ).toBe(true);
    }
    expect(actions.filter((a) => /profile/.test(a)).length).toBeGreaterThanOrEqual(2);
  });

  it("status --json is a JSON object without secrets", async () => {
    const r = await runCli(["--json", "status"], opts());
    expectNoSecret(r.stdout + r.stderr);
    const status = jsonOut<Record<string, unknown>>(r);
    expect(typeof status).toBe("object");
    expect(Array.isArray(status)).toBe(false);
  });
});

async function profileNames(): Promise<string[]> {
  const profiles = jsonOut<unknown[]>(await runCli(["--json", "profile", "list"], opts()));
  return profiles.map((p) => (typeof p === "string" ? p : (p as { name: string }).name));
}
