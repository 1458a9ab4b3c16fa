import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { encryptSecret, loadConfig, storeFileIn, Vault } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI_PATH,
  cliEnv,
  jsonError,
  makeHome,
  REPO_ROOT,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { fakeApiKey, fakeOauthToken } from "../fixtures/keys.ts";

// Issue 21, "Security checks twice": `apikey current` has a hot path (plain `current`, main.ts) and the full
// program (`--json current`). Both must reach the same verdict on every state of the active key, and the hot path
// must answer alone exactly when core's one rule (active/usable.ts) finds nothing to decide. "Hot path alone" is
// the built entry copied beside the CLI's node_modules without the program bundle: whatever it defers fails to
// start there.

let home: TestHome;
let vault: Vault;
let hotOnlyCli: string;
const now = () => Date.now();

function runWith(cli: string, args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: cliEnv({ home }),
    cwd: home.homeDir,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A profile whose active key is `secret`, then changed by `mutate` (through the store, as an edit would). */
async function profileWith(
  profile: string,
  secret: string,
  mutate: (id: string, dek: Buffer) => Promise<void>,
) {
  await vault.createProfile(profile);
  const { key } = await vault.add({ name: "k", secret, profile, validate: false });
  await mutate(key.id, await vault.unlock());
  return key.id;
}

/** Re-seals the row as an OAuth key of the given expiry, as a login would store it. */
const asOauth = (profile: string, token: string, expiresIn: number) => async (id: string, dek: Buffer) => {
  const sealed = encryptSecret(dek, { id, profile, name: "k", kind: "oauth" }, token);
  await vault.store.keys.update(id, {
    kind: "oauth",
    ciphertext: sealed.ciphertext,
    nonce: sealed.nonce,
    expiresAt: new Date(now() + expiresIn),
  });
};

interface Case {
  state: string;
  profile: string;
  secret: string;
  mutate: (id: string, dek: Buffer) => Promise<void>;
  /** The full path's answer: the secret, or an error code. */
  full: "secret" | string;
  /** Whether core's rule lets the hot path answer alone. */
  hotAlone: boolean;
}

const api = (label: string) => fakeApiKey(`AGREE_${label}`);
const CASES: Case[] = [
  {
    state: "usable API key",
    profile: "plain",
    secret: api("PLAIN"),
    mutate: async () => {},
    full: "secret",
    hotAlone: true,
  },
  {
    state: "disabled",
    profile: "off",
    secret: api("OFF"),
    mutate: (id) => vault.store.keys.update(id, { status: "disabled" }),
    full: "E_KEY_DISABLED",
    hotAlone: false,
  },
  {
    state: "rotated",
    profile: "old",
    secret: api("OLD"),
    mutate: (id) => vault.store.keys.update(id, { status: "rotated" }),
    full: "E_KEY_DISABLED",
    hotAlone: false,
  },
  {
    state: "pointer into another profile",
    profile: "pointer",
    secret: api("POINTER"),
    mutate: async () => {
      const { key } = await vault.add({
        name: "theirs",
        secret: api("THEIRS"),
        profile: "plain",
        validate: false,
      });
      await vault.store.profiles.setActiveKey("pointer", key.id);
    },
    full: "E_STORE_CORRUPT",
    hotAlone: false,
  },
  {
    state: "seal mismatch (row renamed outside apikey)",
    profile: "renamed",
    secret: api("RENAMED"),
    mutate: (id) => vault.store.keys.update(id, { name: "other-name" }),
    full: "E_STORE_CORRUPT",
    hotAlone: false,
  },
  {
    state: "OAuth token an hour from expiry",
    profile: "oauth-fresh",
    secret: fakeOauthToken("AGREE_FRESH"),
    mutate: asOauth("oauth-fresh", fakeOauthToken("AGREE_FRESH"), 3_600_000),
    full: "secret",
    hotAlone: true,
  },
  {
    state: "OAuth token 20 s from expiry (a refresh is due)",
    profile: "oauth-due",
    secret: fakeOauthToken("AGREE_DUE"),
    mutate: asOauth("oauth-due", fakeOauthToken("AGREE_DUE"), 20_000),
    // No provider is registered for it, so the full path's refresh leaves it as it is and hands it out.
    full: "secret",
    hotAlone: false,
  },
];

beforeAll(async () => {
  home = await makeHome();
  // Creates the store the way a person does.
  const first = await runCli(["add", "--no-validate", "first"], { home, stdin: api("FIRST") });
  expect(first.code, first.stderr).toBe(0);
  vault = new Vault({
    store: await openStore({ path: storeFileIn(home.dataDir) }),
    config: loadConfig({ APIKEY_HOME: home.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY }),
    actor: "test",
    front: "api",
  });
  for (const c of CASES) await profileWith(c.profile, c.secret, c.mutate);
  const hot = join(home.root, "hot-only");
  mkdirSync(join(hot, "dist"), { recursive: true });
  hotOnlyCli = join(hot, "dist", "apikey.cjs");
  copyFileSync(CLI_PATH, hotOnlyCli);
  // The hot path is the entry and its own bundle (with V8's code cache for it); the full program is not copied.
  for (const file of ["hot.cjs", "hot.cjs.cache"])
    copyFileSync(join(dirname(CLI_PATH), file), join(hot, "dist", file));
  symlinkSync(join(REPO_ROOT, "apps/cli/node_modules"), join(hot, "node_modules"));
}, 120_000);

afterAll(async () => {
  await vault?.store.close();
  await home?.cleanup();
});

describe("issue 21: the hot path and the full path agree on the active key", () => {
  it.each(CASES)("$state", async (c) => {
    const fullRun = await runCli(["--json", "--profile", c.profile, "current"], { home });
    const hotRun = await runCli(["--profile", c.profile, "current"], { home });
    const alone = await runWith(hotOnlyCli, ["--profile", c.profile, "current"]);
    if (c.full === "secret") {
      expect(fullRun.code, fullRun.stderr).toBe(0);
      expect(JSON.parse(fullRun.stdout).key).toBe(c.secret);
      expect(hotRun.stdout).toBe(`${c.secret}\n`);
    } else {
      expect(fullRun.stdout).toBe("");
      expect(jsonError(fullRun).code).toBe(c.full);
      expect(hotRun.stdout).toBe("");
      expect(hotRun.code).toBe(fullRun.code);
    }
    // The hot path alone answers exactly when nothing needs deciding, and otherwise prints nothing.
    expect(alone.stdout).toBe(c.hotAlone ? `${c.secret}\n` : "");
    expect(alone.code).toBe(c.hotAlone ? 0 : 1);
  });
});

describe("issue 21: the hot path and the full path keep one last-used rule", () => {
  // Recorded at most once a minute (active/last-used.ts), and only ever moved forward: a last use stamped ahead
  // of this machine's clock (another machine, a clock set back) stays as it is on both paths.
  const MINUTE = 60_000;
  const LAST_USED = [
    { state: "last used in the future", ago: -86_400_000, moves: false },
    { state: "last used 20 s ago", ago: 20_000, moves: false },
    { state: "last used 2 min ago", ago: 2 * MINUTE, moves: true },
  ];

  it.each(LAST_USED)("$state", async ({ ago, moves }) => {
    const id = (await vault.store.keys.byName("plain", "k"))?.id as string;
    for (const path of ["hot", "full"] as const) {
      const before = new Date(now() - ago);
      await vault.store.keys.update(id, { lastUsedAt: before });
      const started = now();
      const r =
        path === "hot"
          ? runWith(hotOnlyCli, ["--profile", "plain", "current"])
          : await runCli(["--json", "--profile", "plain", "current"], { home });
      expect(r.code, `${path}: ${r.stderr}`).toBe(0);
      const after = (await vault.store.keys.byId(id))?.lastUsedAt?.getTime();
      if (moves) expect(after, path).toBeGreaterThanOrEqual(started - 1000);
      else expect(after, path).toBe(before.getTime());
    }
  });
});
