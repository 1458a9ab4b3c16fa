import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  checkName,
  exportBundle,
  exportCheapBundle,
  importBundle,
  importFromSource,
  loadConfig,
  propertySeed,
  readBundle,
  readCheapBundle,
  seededRandom,
  storeFileIn,
  Vault,
} from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, expect, it } from "vitest";
import { listKeys, makeHome, runCli, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { fakeAdminKey, fakeApiKey, fakeOauthToken } from "../fixtures/keys.ts";

// Issue 12, item 3: every name any path creates obeys the name rule, and every bundle apikey writes imports.
// Property test: random valid stores (names at the length limit, several profiles, near-duplicate names, numbered
// dotenv imports, disabled and deleted active keys) → export → import into a fresh store → the same listing.

const SEED = propertySeed("bundle round-trip property test", 0x12c0ffee);
const STORES = 8;
const PASSPHRASE = "round trip passphrase, FAKE-TEST";

const homes: TestHome[] = [];
const vaults: Vault[] = [];
afterAll(async () => {
  for (const v of vaults) await v.store.close();
  for (const h of homes) await h.cleanup();
});

async function freshVault(): Promise<{ vault: Vault; home: TestHome }> {
  const home = await makeHome();
  homes.push(home);
  const store = await openStore({ path: storeFileIn(home.dataDir) });
  const vault = new Vault({
    store,
    config: loadConfig({ APIKEY_HOME: home.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY }),
    actor: "test",
    front: "api",
  });
  vaults.push(vault);
  return { vault, home };
}

/** What `apikey list` and `profile list` show, minus what a restore cannot keep (row ids, month spend). */
async function listing(vault: Vault) {
  const keys = (await vault.list()).map((k) => ({
    name: k.name,
    profile: k.profile,
    kind: k.kind,
    source: k.source,
    status: k.status,
    active: k.active,
    masked: k.masked,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    validation: k.validation,
  }));
  keys.sort((a, b) => `${a.profile}\0${a.name}`.localeCompare(`${b.profile}\0${b.name}`));
  const profiles = (await vault.listProfiles()).sort((a, b) => a.name.localeCompare(b.name));
  return { keys, profiles };
}

const FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const REST = `${FIRST}._-`;

it("item 3: random valid stores → export → import into a fresh store → identical listing", async () => {
  const random = seededRandom(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let serial = 0;
  const name = (what: "key" | "profile", base?: string): string => {
    for (let attempt = 0; attempt < 100; attempt++) {
      // Often exactly at the limit, often a near-duplicate of an existing name (same stem, one character off).
      const length = random() < 0.4 ? 64 : 1 + Math.floor(random() * 64);
      let n = base && random() < 0.5 ? base.slice(0, length - 1) + pick([...REST]) : pick([...FIRST]);
      while (n.length < length) n += pick([...REST]);
      try {
        return checkName(n.slice(0, 64), what);
      } catch {
        // "env" or an sk-ant- look-alike: draw again.
      }
    }
    throw new Error("could not draw a valid name");
  };
  const secret = () => {
    const label = `RT_${SEED.toString(36)}_${serial++}`;
    return pick([fakeApiKey, fakeApiKey, fakeAdminKey, fakeOauthToken])(label);
  };

  for (let s = 0; s < STORES; s++) {
    const { vault, home } = await freshVault();
    const profiles = ["default"];
    for (let p = Math.floor(random() * 3); p > 0; p--) {
      const pn = name("profile", pick(profiles));
      if (profiles.includes(pn)) continue;
      await vault.createProfile(pn);
      profiles.push(pn);
    }
    const keys: Array<{ name: string; profile: string }> = [];
    for (let k = 2 + Math.floor(random() * 6); k > 0; k--) {
      const profile = pick(profiles);
      const kn = name("key", keys.length ? pick(keys).name : undefined);
      if (keys.some((x) => x.profile === profile && x.name === kn)) continue;
      await vault.add({ name: kn, profile, secret: secret(), validate: false });
      keys.push({ name: kn, profile });
    }
    // Several keys from one dotenv file under a --name at the limit: numbered, and still within the rule.
    if (random() < 0.7) {
      const file = join(home.root, ".env");
      const count = 2 + Math.floor(random() * 3);
      await writeFile(
        file,
        Array.from({ length: count }, () => `ANTHROPIC_API_KEY=${fakeApiKey(`RT_${serial++}`)}`).join("\n"),
      );
      const profile = pick(profiles);
      const report = await importFromSource(vault, {
        from: "dotenv",
        path: file,
        name: name("key"),
        profile,
      });
      for (const a of report.added) {
        expect(() => checkName(a.name, "key"), a.name).not.toThrow();
        keys.push({ name: a.name, profile: a.profile });
      }
    }
    // Changes that leave profiles with a disabled active key, or with keys but no active one.
    for (let op = Math.floor(random() * 5); op > 0 && keys.length > 1; op--) {
      const k = pick(keys);
      const what = pick(["use", "disable", "enable", "delete", "rename"] as const);
      if (what === "use") await vault.use(k.name, k.profile).catch(() => {});
      else if (what === "disable") await vault.disable(k.name, k.profile);
      else if (what === "enable") await vault.enable(k.name, k.profile);
      else if (what === "delete") {
        await vault.delete(k.name, k.profile);
        keys.splice(keys.indexOf(k), 1);
      } else {
        const to = name("key", k.name);
        if (keys.some((x) => x.profile === k.profile && x.name === to)) continue;
        await vault.rename(k.name, to, k.profile);
        k.name = to;
      }
    }

    // The first store goes through apikey's own export and reader at full cost (N=2^17); the others through the
    // same code at the tests' scrypt cost (@apikey/core/testing), since their subject is the content, not the KDF.
    const full = s === 0;
    const exported = await (full ? exportBundle : exportCheapBundle)(vault, { passphrase: PASSPHRASE });
    if (full) expect(JSON.parse(exported.text).kdf).toMatchObject({ N: 2 ** 17, r: 8, p: 1 });
    const target = (await freshVault()).vault;
    const content = await (full ? readBundle : readCheapBundle)(exported.text, PASSPHRASE);
    const report = await importBundle(target, { bundle: content });
    expect(report.skipped, `store ${s}`).toEqual([]);
    expect(await listing(target), `store ${s} (seed ${SEED})`).toEqual(await listing(vault));
  }
}, 120_000);

it("item 3: the issue's repro through the CLI — two dotenv keys under a 64-character --name export and import again", async () => {
  const from = await makeHome();
  const to = await makeHome();
  homes.push(from, to);
  const env = { APIKEY_EXPORT_PASSPHRASE: PASSPHRASE };
  const dotenv = join(from.root, "two.env");
  await writeFile(
    dotenv,
    `ANTHROPIC_API_KEY=${fakeApiKey("RT_CLI_A")}\nANTHROPIC_API_KEY=${fakeApiKey("RT_CLI_B")}\n`,
  );
  const long = "n".repeat(64);
  const imported = await runCli(["--json", "import", "--from", "dotenv", dotenv, "--name", long], {
    home: from,
  });
  expect(imported.code, imported.stderr).toBe(0);
  const names = (JSON.parse(imported.stdout) as { added: Array<{ name: string }> }).added.map((a) => a.name);
  expect(names).toEqual([long, `${"n".repeat(62)}-2`]);
  const bundle = join(from.root, "keys.apikey");
  const exported = await runCli(["--json", "export", "--out", bundle], { home: from, env });
  expect(exported.code, exported.stderr).toBe(0);
  const restored = await runCli(["--json", "import", bundle], { home: to, env });
  expect(restored.code, restored.stderr).toBe(0);
  expect((await listKeys({ home: to })).map((k) => k.name).sort()).toEqual([...names].sort());
});
