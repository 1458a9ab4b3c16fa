import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MasterKeySource, masterKeySource, passphraseSource } from "@apikey/core";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { node22Binary } from "../../scripts/node22-binary.mjs";
import {
  addKey,
  jsonOut,
  makeHome,
  REPO_ROOT,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { keychainSlotReader } from "../fixtures/keychain-slot.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import {
  missingSecretServiceTools,
  type SecretService,
  startSecretService,
} from "../fixtures/secret-service.ts";
import { storeTemplate } from "../fixtures/store-template.ts";

// Two tiny fronts built on the one front API (@apikey/core): one bundled exactly as `ray build` bundles a
// Raycast extension (CommonJS, node22, no native addon) and run under Node 22 with node:sqlite; one an ES module
// on this Node with better-sqlite3, as a Bolt app imports the packages. Each opens a store the CLI created, lists,
// switches, adds and rotates a key against the local fake API and reads a usage report; the CLI's `current` then
// hands out the key the front switched to, and the store read back in process holds the rest (the new key, the
// rotation, the front's audit rows). The two fronts of one unlock start from copies of one store the CLI made.

const WORK = fakeApiKey("FRONT_WORK");
const SPARE = fakeApiKey("FRONT_SPARE");
const FRESH = fakeApiKey("FRONT_FRESH");
const NEXT = fakeApiKey("FRONT_NEXT");
const PASSPHRASE = "front test passphrase TEST";

let fake: FakeAnthropic;
let out: string;
let raycastBundle: string;
let raycastInputs: string[];
let boltBundle: string;

/** Node 22 (Raycast's runtime, node:sqlite); a test needs it, so none found is a failure. */
const node22 = (): [string, string[]] => {
  const node = node22Binary();
  if (node === null) throw new Error("No Node 22 found: set APIKEY_NODE22, or let npx fetch node@22.");
  return [node, []];
};

function runFront(
  command: string,
  args: string[],
  input: object,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, NODE_NO_WARNINGS: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(JSON.stringify(input));
  });
}

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [WORK, SPARE, FRESH, NEXT] });
  out = await mkdtemp(join(tmpdir(), "apikey-fronts-"));
  raycastBundle = join(out, "raycast", "front.js");
  // Inside the repository, so `better-sqlite3` resolves from tests/node_modules as an app's own dependency would.
  boltBundle = join(REPO_ROOT, "tests/fronts/.build", `front-${process.pid}.mjs`);
  // What `ray build` does: esbuild, CommonJS, platform node, target node22, node:* left to the runtime.
  const raycast = await build({
    metafile: true,
    entryPoints: [join(REPO_ROOT, "tests/fronts/raycast-front.ts")],
    outfile: raycastBundle,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    external: ["node:*"],
    logLevel: "error",
  });
  raycastInputs = Object.keys(raycast.metafile.inputs);
  await build({
    entryPoints: [join(REPO_ROOT, "tests/fronts/bolt-front.ts")],
    outfile: boltBundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["better-sqlite3"],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: "error",
  });
}, 120_000);

afterAll(async () => {
  await fake?.close();
  if (out) await rm(out, { recursive: true, force: true });
  if (boltBundle) await rm(boltBundle, { force: true });
});

describe("the Raycast-style bundle", () => {
  it("holds no native addon, no better-sqlite3 and no keychain addon", () => {
    const files = readdirSync(join(out, "raycast"), { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith(".node"))).toEqual([]);
    // What went into the bundle (pnpm's folder names mention better-sqlite3 in path comments; those are not code).
    expect(raycastInputs.filter((f) => /node_modules\/(better-sqlite3|@napi-rs\/keyring)\//.test(f))).toEqual(
      [],
    );
    expect(raycastInputs.some((f) => f.includes("packages/storage/src/drivers/node-sqlite.ts"))).toBe(true);
    const text = readFileSync(raycastBundle, "utf8");
    expect(text).not.toMatch(/require\(["'](better-sqlite3|@napi-rs\/keyring)["']\)/);
    expect(text).not.toContain("import.meta");
    console.log(`Raycast-style bundle: ${(statSync(raycastBundle).size / 1024).toFixed(0)} KiB`);
  });
});

interface SessionOut {
  before: Array<{ name: string; active: boolean }>;
  used: string;
  added: { name: string; validation: string | null };
  rotated: { changed: boolean; plan: string };
  usageRows: number;
  error?: { code: string };
}

/** A store made by the CLI with `work` (active) and `spare`. */
async function cliStore(opts: RunOptions): Promise<void> {
  expect((await addKey("work", WORK, opts)).code).toBe(0);
  expect((await addKey("spare", SPARE, opts)).code).toBe(0);
}

/**
 * What the front did, as the CLI and the store see it. `masterKeys` opens the store in process as the CLI would
 * (the same use cases `list`, `reveal` and `audit` call), for the read-backs whose subject is the front's session.
 */
async function expectSessionSeen(
  session: SessionOut,
  opts: RunOptions,
  masterKeys: MasterKeySource[],
  actor: string,
  front: string,
) {
  expect(session.error).toBeUndefined();
  expect(session.before.map((k) => [k.name, k.active])).toEqual([
    ["spare", false],
    ["work", true],
  ]);
  expect(session).toMatchObject({
    used: "spare",
    added: { name: "fresh", validation: "valid" },
    rotated: { changed: true, plan: "manual" },
  });
  // The CLI sees the switch (current prints spare); the store holds the new key and the rotation.
  const current = await runCli(["current"], opts);
  expect(current.stdout).toBe(`${SPARE}\n`);
  const { listed, work, audit } = await inProcess(
    opts.home,
    async (app) => ({
      listed: await app.keys.list(),
      work: await app.keys.reveal("work"),
      audit: await app.audit({ limit: 50 }),
    }),
    masterKeys,
  );
  expect(listed.map((k) => [k.name, k.status]).sort()).toEqual([
    ["fresh", "active"],
    ["spare", "active"],
    ["work", "active"],
    ["work", "rotated"],
  ]);
  expect(work).toBe(NEXT);
  const mine = audit.filter((a) => a.actor === actor).map((a) => [a.action, a.front]);
  expect(mine).toEqual(
    expect.arrayContaining([
      ["key.use", front],
      ["key.add", front],
      ["key.rotate", front],
    ]),
  );
  // Nothing the front printed holds a secret.
  for (const secret of [WORK, SPARE, FRESH, NEXT]) expect(JSON.stringify(session)).not.toContain(secret);
}

describe.each([
  [
    "APIKEY_MASTER_KEY",
    { APIKEY_MASTER_KEY: TEST_MASTER_KEY },
    { masterKey: TEST_MASTER_KEY },
    () => masterKeySource(TEST_MASTER_KEY),
  ],
  [
    "passphrase",
    { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: PASSPHRASE },
    { passphrase: PASSPHRASE },
    () => passphraseSource({ passphrase: PASSPHRASE }),
  ],
] as const)("a %s store the CLI created", (_label, env, unlock, source) => {
  let home: TestHome;
  afterAll(() => home?.cleanup());
  // Both fronts start from `work` and `spare` added by the CLI: made once, copied into each test's home.
  const made = storeTemplate((h) => ({ home: h, env, baseUrl: fake.url }), cliStore);

  it("is used by the Raycast-style bundle under Node 22 (node:sqlite)", async () => {
    home = await makeHome();
    const opts: RunOptions = { home, env, baseUrl: fake.url };
    await made.copyTo(home);
    const [cmd, pre] = node22();
    const r = await runFront(cmd, [...pre, raycastBundle], {
      home: home.dataDir,
      baseUrl: fake.url,
      actor: "raycast:tester",
      front: "raycast",
      ...unlock,
      use: "spare",
      add: { name: "fresh", secret: FRESH },
      rotate: { name: "work", newSecret: NEXT },
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    await expectSessionSeen(JSON.parse(r.stdout), opts, [source()], "raycast:tester", "raycast");
  }, 90_000);

  it("is used by an ES-module Node front with better-sqlite3", async () => {
    const other = await makeHome();
    try {
      const opts: RunOptions = { home: other, env, baseUrl: fake.url };
      await made.copyTo(other);
      const r = await runFront(process.execPath, [boltBundle], {
        home: other.dataDir,
        baseUrl: fake.url,
        actor: "slack:T1/U1",
        front: "slack",
        ...unlock,
        use: "spare",
        add: { name: "fresh", secret: FRESH },
        rotate: { name: "work", newSecret: NEXT },
      });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      await expectSessionSeen(JSON.parse(r.stdout), opts, [source()], "slack:T1/U1", "slack");
    } finally {
      await other.cleanup();
    }
  }, 60_000);
});

// The keychain store needs a Secret Service: skipped with a reason on a machine without one, required under CI.
const missingTools = missingSecretServiceTools();
const noKeychain = missingTools.length > 0 && process.env.CI !== "true";
if (noKeychain) console.warn(`skipped: keychain front test needs ${missingTools.join(", ")} (or CI=true).`);

describe.skipIf(noKeychain)("a keychain store the CLI created", () => {
  let ss: SecretService;
  let home: TestHome;
  beforeAll(async () => {
    ss = await startSecretService();
    home = await makeHome();
  });
  afterAll(async () => {
    await ss?.stop();
    await home?.cleanup();
  });

  it("opens in the Raycast-style bundle through a master-key slot the CLI added", async () => {
    const opts: RunOptions = { home, env: { APIKEY_MASTER_KEY: undefined, ...ss.env }, baseUrl: fake.url };
    await cliStore(opts);
    // Read back in process, offering no master key: the store's provider needs none.
    expect((await inProcess(home, (app) => app.status(), [])).kekProvider).toBe("keychain");
    const added = jsonOut<{ slot: { name: string }; masterKey: string }>(
      await runCli(["--json", "slot", "add", "raycast"], opts),
    );
    expect(added.slot.name).toBe("raycast");
    const [cmd, pre] = node22();
    const r = await runFront(cmd, [...pre, raycastBundle], {
      home: home.dataDir,
      baseUrl: fake.url,
      actor: "raycast:tester",
      front: "raycast",
      masterKey: added.masterKey,
      use: "spare",
      add: { name: "fresh", secret: FRESH },
      rotate: { name: "work", newSecret: NEXT },
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    await expectSessionSeen(
      JSON.parse(r.stdout),
      opts,
      [keychainSlotReader(ss)],
      "raycast:tester",
      "raycast",
    );
    const slots = await inProcess(home, (app) => app.slots.list(), []);
    expect(slots.map((s) => [s.name, s.kind])).toEqual([
      ["keychain", "keychain"],
      ["raycast", "env"],
    ]);
    expect(slots[1]?.lastUsedAt).not.toBeNull();
  }, 90_000);
});
