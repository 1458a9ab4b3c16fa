import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Apikey, masterKeySource } from "@apikey/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  DEV,
  expectClean,
  makeBundleSource,
  mustRun,
  SECRETS,
  SPARE,
  storeState,
  WORK,
  withPass,
} from "../fixtures/bundle-source.ts";
import {
  jsonError,
  jsonOut,
  makeHome,
  OTHER_MASTER_KEY,
  REPO_ROOT,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeAdminKey, fakeApiKey, keyBody } from "../fixtures/keys.ts";

// Encrypted export and import through the built CLI, in temp homes. Each export or import that reaches the key
// derivation costs one scrypt at N=2^17 (most of a second here), so bundles are made once and reused. The source
// store is made in process (tests/fixtures/bundle-source.ts); bad bundles are in bundle-refusals.test.ts.

// Set-up and read-backs go through the use cases in process, with the master key the home's CLI runs get; the
// exports and imports are what is tested and run the CLI.
const inHome = <T>(opts: RunOptions, steps: (app: Apikey) => Promise<T>) =>
  inProcess(opts.home, steps, [masterKeySource(opts.env?.APIKEY_MASTER_KEY ?? TEST_MASTER_KEY)]);
const reveal = (opts: RunOptions, profile: string, name: string) =>
  inHome(opts, (app) => app.keys.reveal(name, profile));
/** What `current` prints: the profile's active key. */
const current = (opts: RunOptions, profile?: string) =>
  inHome(opts, async (app) => (await app.active(profile)).secret);
const listKeys = (opts: RunOptions) => inHome(opts, (app) => app.keys.list());
const profileNames = (opts: RunOptions) =>
  inHome(opts, async (app) => (await app.profiles.list()).map((p) => p.name));

describe("apikey export / import (bundles)", () => {
  let source: TestHome;
  let srcOpts: RunOptions;
  let bundlePath: string;
  let bundleText: string;
  const homes: TestHome[] = [];
  const freshHome = async (masterKey = OTHER_MASTER_KEY) => {
    const home = await makeHome();
    homes.push(home);
    return { home, env: { APIKEY_MASTER_KEY: masterKey } } satisfies RunOptions;
  };

  beforeAll(async () => {
    source = await makeHome();
    srcOpts = { home: source };
    await makeBundleSource(source);
    bundlePath = join(source.root, "keys.apikey");
    const r = await mustRun(["--json", "export", "--out", bundlePath], withPass(srcOpts));
    expectClean(r);
    expect(jsonOut<{ keys: number }>(r).keys).toBe(4);
    bundleText = await readFile(bundlePath, "utf8");
  });
  afterAll(async () => {
    await source?.cleanup();
    for (const h of homes) await h.cleanup();
  });

  it("writes a self-describing envelope, mode 0600, with no secret in it", async () => {
    expect((await stat(bundlePath)).mode & 0o777).toBe(0o600);
    const env = JSON.parse(bundleText);
    expect(env).toMatchObject({
      format: "apikey-bundle",
      version: 2,
      kdf: { name: "scrypt", N: 2 ** 17, r: 8, p: 1 },
      cipher: { name: "aes-256-gcm" },
    });
    for (const s of SECRETS) {
      expect(bundleText).not.toContain(keyBody(s));
      expect(bundleText).not.toContain(Buffer.from(s).toString("base64"));
    }
    expect(bundleText).not.toContain("work");
  });

  it("round-trips into a fresh store with another master key: names, profiles, statuses, secrets", async () => {
    const target = await freshHome();
    const r = await mustRun(["--json", "import", bundlePath], withPass(target));
    expectClean(r);
    const report = jsonOut<{ added: unknown[]; skipped: unknown[]; profilesCreated: string[] }>(r);
    expect(report.added).toHaveLength(4);
    expect(report.skipped).toEqual([]);
    expect(report.profilesCreated.sort()).toEqual(["dev", "empty"]);

    const pick = (k: { name: string; profile: string; status: string; active: boolean; kind: string }) => [
      k.profile,
      k.name,
      k.status,
      k.active,
      k.kind,
    ];
    expect((await listKeys(target)).map(pick)).toEqual((await listKeys(srcOpts)).map(pick));
    expect(await current(target)).toBe(WORK);
    expect(await current(target, "dev")).toBe(DEV);
    expect(await reveal(target, "default", "spare")).toBe(SPARE);
    expect(await reveal(target, "dev", "org-admin")).toBe(ADMIN);
    expect((await profileNames(target)).sort()).toEqual(["default", "dev", "empty"]);

    const audit = await inHome(target, (app) => app.audit({ limit: 50 }));
    const entry = audit.find((a) => a.action === "store.import");
    expect(entry?.details).toMatchObject({ source: "bundle", added: 4, skipped: 0 });
    expect(JSON.stringify(audit)).not.toContain(keyBody(WORK));

    // Importing again changes nothing: every key is a duplicate, reported by name.
    const before = await storeState(target);
    const again = await mustRun(["--json", "import", bundlePath], withPass(target));
    const rep = jsonOut<{ added: unknown[]; skipped: Array<{ name: string; reason: string }> }>(again);
    expect(rep.added).toEqual([]);
    expect(rep.skipped.map((s) => [s.name, s.reason]).sort()).toEqual([
      ["dev-main", "duplicate"],
      ["org-admin", "duplicate"],
      ["spare", "duplicate"],
      ["work", "duplicate"],
    ]);
    expect(await storeState(target)).toEqual(before);
  });

  it("skips duplicates and name clashes, imports the rest, and --dry-run writes nothing", async () => {
    const target = await freshHome();
    // `work` already stored under another name; `dev-main` taken in dev by a different key.
    const other = fakeApiKey("BUNDLE_OTHER");
    await inHome(target, async (app) => {
      await app.keys.add({ name: "mine", secret: WORK, validate: false });
      await app.profiles.create("dev");
      await app.keys.add({ name: "dev-main", secret: other, profile: "dev", validate: false });
    });

    const before = await storeState(target);
    const dry = await mustRun(["--json", "import", "--dry-run", bundlePath], withPass(target));
    const preview = jsonOut<{
      dryRun: boolean;
      added: Array<{ name: string }>;
      skipped: Array<{ name: string; reason: string }>;
    }>(dry);
    expect(preview.dryRun).toBe(true);
    expect(await storeState(target)).toEqual(before);

    const real = jsonOut<typeof preview>(await mustRun(["--json", "import", bundlePath], withPass(target)));
    expect(real.dryRun).toBe(false);
    // The dry run announced exactly what the import then did.
    expect(real.added).toEqual(preview.added);
    expect(real.skipped).toEqual(preview.skipped);
    expect(real.added.map((a) => a.name).sort()).toEqual(["org-admin", "spare"]);
    expect(real.skipped.map((s) => [s.name, s.reason]).sort()).toEqual([
      ["dev-main", "name-taken"],
      ["work", "duplicate"],
    ]);
    expect(await reveal(target, "dev", "dev-main")).toBe(other);
    expect(await current(target, "dev")).toBe(other);
  });

  it("writes to stdout when it is a pipe, refuses to overwrite without --force, and takes no passphrase flag", async () => {
    const r = await mustRun(["export"], withPass(srcOpts));
    expect(JSON.parse(r.stdout).format).toBe("apikey-bundle");
    expectClean(r);

    const exists = await runCli(["--json", "export", "--out", bundlePath], withPass(srcOpts));
    expect(exists.code).toBe(2);
    expect(jsonError(exists).code).toBe("E_USAGE");
    expect(await readFile(bundlePath, "utf8")).toBe(bundleText);

    const forced = join(source.root, "forced.apikey");
    await writeFile(forced, "old", { mode: 0o644 });
    await mustRun(["export", "--out", forced, "--force"], withPass(srcOpts));
    expect((await stat(forced)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(forced, "utf8")).format).toBe("apikey-bundle");

    // There is no way to put the passphrase on the command line.
    const flag = await runCli(["--json", "export", "--passphrase", "x".repeat(20)], srcOpts);
    expect(flag.code).toBe(2);
  });

  it("refuses a short passphrase before writing anything", async () => {
    const out = join(source.root, "weak.apikey");
    const r = await runCli(["--json", "export", "--out", out], withPass(srcOpts, "short pass"));
    expect(r.code).toBe(1);
    expect(jsonError(r).code).toBe("E_PASSPHRASE_WEAK");
    await expect(stat(out)).rejects.toThrow();
  });

  it("imports the committed version-1 fixture", async () => {
    // Frozen bytes written by `apikey export` (see tests/fixtures/bundles/README.md): the reader must keep opening
    // files written by earlier versions: v2 (a key's workspace) is what export writes now, and v1 still imports.
    const target = await freshHome();
    const fixture = join(REPO_ROOT, "tests/fixtures/bundles/v1.apikey-bundle.json");
    expect(JSON.parse(await readFile(fixture, "utf8")).version).toBe(1);
    const r = await mustRun(
      ["--json", "import", fixture],
      withPass(target, "fixture passphrase v1, not a secret"),
    );
    expect(jsonOut<{ added: unknown[] }>(r).added).toHaveLength(4);
    const keys = await listKeys(target);
    expect(keys.map((k) => [k.profile, k.name, k.status, k.kind, k.active])).toEqual([
      ["default", "spare", "disabled", "api", false],
      ["default", "work", "active", "api", true],
      ["dev", "dev-main", "active", "api", true],
      ["dev", "org-admin", "active", "admin", false],
    ]);
    expect(await current(target)).toBe(fakeApiKey("V1_WORK"));
    expect(await reveal(target, "dev", "org-admin")).toBe(fakeAdminKey("V1_ADMIN"));
    expect((await profileNames(target)).sort()).toEqual(["default", "dev", "staging"]);
  });
});
