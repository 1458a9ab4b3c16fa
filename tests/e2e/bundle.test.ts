import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addKey,
  type CliResult,
  jsonError,
  jsonOut,
  listKeys,
  makeHome,
  OTHER_MASTER_KEY,
  REPO_ROOT,
  type RunOptions,
  runCli,
  type TestHome,
  walk,
} from "../fixtures/cli.ts";
import { fakeAdminKey, fakeApiKey, keyBody } from "../fixtures/keys.ts";

// Encrypted export and import through the built CLI, in temp homes. Each export or import that reaches the key
// derivation costs one scrypt at N=2^17 (most of a second here), so bundles are made once and reused.

const PASSPHRASE = "bundle test passphrase, not a secret";
const WORK = fakeApiKey("BUNDLE_WORK");
const SPARE = fakeApiKey("BUNDLE_SPARE");
const DEV = fakeApiKey("BUNDLE_DEV");
const ADMIN = fakeAdminKey("BUNDLE_ADMIN");
const SECRETS = [WORK, SPARE, DEV, ADMIN];

const withPass = (opts: RunOptions, passphrase = PASSPHRASE): RunOptions => ({
  ...opts,
  env: { ...opts.env, APIKEY_EXPORT_PASSPHRASE: passphrase },
});

function expectClean(r: CliResult) {
  const all = r.stdout + r.stderr;
  for (const s of SECRETS) expect(all).not.toContain(keyBody(s));
  expect(all).not.toContain(PASSPHRASE);
}

async function mustRun(args: string[], opts: RunOptions): Promise<CliResult> {
  const r = await runCli(args, opts);
  expect(r.code, `${args.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r;
}

/** Keys, profiles, audit log and the bytes of every store file: all a failed import must leave as it was. */
async function storeState(opts: RunOptions) {
  const hashes: Record<string, string> = {};
  for (const f of await walk(opts.home.dataDir)) {
    hashes[relative(opts.home.dataDir, f)] = createHash("sha256")
      .update(await readFile(f))
      .digest("hex");
  }
  return {
    list: await listKeys(opts),
    profiles: jsonOut(await runCli(["--json", "profile", "list"], opts)),
    audit: jsonOut<unknown[]>(await runCli(["--json", "audit", "--limit", "1000"], opts)).length,
    files: hashes,
  };
}

const reveal = async (opts: RunOptions, profile: string, name: string) =>
  (await mustRun(["--profile", profile, "reveal", "--yes", name], opts)).stdout.trim();

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
    expect((await addKey("work", WORK, srcOpts, ["--no-validate"])).code).toBe(0);
    expect((await addKey("spare", SPARE, srcOpts, ["--no-validate"])).code).toBe(0);
    await mustRun(["disable", "spare"], srcOpts);
    await mustRun(["profile", "create", "dev"], srcOpts);
    await mustRun(["profile", "create", "empty"], srcOpts);
    expect(
      (await addKey("dev-main", DEV, { home: source }, ["--no-validate", "--profile", "dev"])).code,
    ).toBe(0);
    const admin = await runCli(["--profile", "dev", "--json", "add", "--no-validate", "org-admin"], {
      ...srcOpts,
      stdin: ADMIN,
    });
    expect(admin.code, admin.stderr).toBe(0);
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
      version: 1,
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
    expect((await mustRun(["current"], target)).stdout).toBe(`${WORK}\n`);
    expect((await mustRun(["--profile", "dev", "current"], target)).stdout).toBe(`${DEV}\n`);
    expect(await reveal(target, "default", "spare")).toBe(SPARE);
    expect(await reveal(target, "dev", "org-admin")).toBe(ADMIN);
    const profiles = jsonOut<Array<{ name: string }>>(await runCli(["--json", "profile", "list"], target));
    expect(profiles.map((p) => p.name).sort()).toEqual(["default", "dev", "empty"]);

    const audit = jsonOut<Array<{ action: string; details: Record<string, unknown> }>>(
      await runCli(["--json", "audit"], target),
    );
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
    expect((await addKey("mine", WORK, target, ["--no-validate"])).code).toBe(0);
    await mustRun(["profile", "create", "dev"], target);
    const other = fakeApiKey("BUNDLE_OTHER");
    expect((await addKey("dev-main", other, target, ["--no-validate", "--profile", "dev"])).code).toBe(0);

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
    expect((await mustRun(["--profile", "dev", "current"], target)).stdout).toBe(`${other}\n`);
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
    // files written by earlier versions. Today v1 is also the current version, so this proves the reader does
    // not depend on anything but the file; once v2 exists it proves v1 still imports.
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
    expect((await mustRun(["current"], target)).stdout).toBe(`${fakeApiKey("V1_WORK")}\n`);
    expect(await reveal(target, "dev", "org-admin")).toBe(fakeAdminKey("V1_ADMIN"));
    const profiles = jsonOut<Array<{ name: string }>>(await runCli(["--json", "profile", "list"], target));
    expect(profiles.map((p) => p.name).sort()).toEqual(["default", "dev", "staging"]);
  });

  describe("a bad bundle is refused with its code and leaves the store unchanged", () => {
    let target: RunOptions;
    let before: Awaited<ReturnType<typeof storeState>>;
    beforeAll(async () => {
      target = await freshHome();
      expect((await addKey("existing", fakeApiKey("BUNDLE_EXISTING"), target, ["--no-validate"])).code).toBe(
        0,
      );
      before = await storeState(target);
    });

    const env = () => JSON.parse(bundleText);
    const flip = (b64: string, at: number) => {
      const bytes = Buffer.from(b64, "base64");
      bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ 0x01;
      return bytes.toString("base64");
    };
    const cases: Array<[string, () => string, string, string?]> = [
      ["wrong passphrase", () => bundleText, "E_BUNDLE_PASSPHRASE", "another passphrase, long enough"],
      ["truncated", () => bundleText.slice(0, Math.floor(bundleText.length / 2)), "E_BUNDLE_CORRUPT"],
      ["not JSON", () => "this is not a bundle\n", "E_BUNDLE_CORRUPT"],
      ["empty file", () => "", "E_BUNDLE_CORRUPT"],
      [
        "a tampered ciphertext byte",
        () => JSON.stringify({ ...env(), ciphertext: flip(env().ciphertext, 40) }),
        "E_BUNDLE_CORRUPT",
      ],
      [
        "a tampered nonce",
        () => JSON.stringify({ ...env(), cipher: { ...env().cipher, nonce: flip(env().cipher.nonce, 3) } }),
        "E_BUNDLE_CORRUPT",
      ],
      // The KDF fields decide the key itself, so an edited salt or N looks exactly like a wrong passphrase.
      [
        "a tampered salt",
        () => JSON.stringify({ ...env(), kdf: { ...env().kdf, salt: flip(env().kdf.salt, 0) } }),
        "E_BUNDLE_PASSPHRASE",
      ],
      [
        "a weakened KDF (N lowered)",
        () => JSON.stringify({ ...env(), kdf: { ...env().kdf, N: 1024 } }),
        "E_BUNDLE_CORRUPT",
      ],
      [
        "a KDF asking for too much memory",
        () => JSON.stringify({ ...env(), kdf: { ...env().kdf, N: 2 ** 24 } }),
        "E_BUNDLE_CORRUPT",
      ],
      [
        "an unknown cipher",
        () => JSON.stringify({ ...env(), cipher: { ...env().cipher, name: "aes-128-cbc" } }),
        "E_BUNDLE_CORRUPT",
      ],
      ["a missing field", () => JSON.stringify({ ...env(), ciphertext: undefined }), "E_BUNDLE_CORRUPT"],
      ["another format", () => JSON.stringify({ ...env(), format: "other-tool-backup" }), "E_BUNDLE_FORMAT"],
      ["a JSON array", () => "[1,2,3]", "E_BUNDLE_FORMAT"],
      ["a future version", () => JSON.stringify({ ...env(), version: 2 }), "E_BUNDLE_VERSION"],
      ["a version that never existed", () => JSON.stringify({ ...env(), version: 0 }), "E_BUNDLE_VERSION"],
    ];
    for (const [what, make, code, passphrase] of cases) {
      it(`${what} → ${code}`, async () => {
        const file = join(target.home.root, "bad.apikey");
        await writeFile(file, make());
        const r = await runCli(["--json", "import", file], withPass(target, passphrase));
        expect(r.code, r.stderr).toBe(1);
        expect(jsonError(r).code).toBe(code);
        expect(r.stdout).toBe("");
        expectClean(r);
        expect(await storeState(target)).toEqual(before);
      });
    }

    it("a missing file → E_IMPORT_SOURCE", async () => {
      const r = await runCli(["--json", "import", join(target.home.root, "nope.apikey")], withPass(target));
      expect(jsonError(r).code).toBe("E_IMPORT_SOURCE");
      expect(await storeState(target)).toEqual(before);
    });

    it("into a store that does not exist yet: nothing is created", async () => {
      const empty = await freshHome();
      const file = join(empty.home.root, "bad.apikey");
      await writeFile(file, JSON.stringify({ ...env(), ciphertext: flip(env().ciphertext, 7) }));
      const r = await runCli(["--json", "import", file], withPass(empty));
      expect(jsonError(r).code).toBe("E_BUNDLE_CORRUPT");
      expect(await walk(empty.home.dataDir)).toEqual([]);
    });
  });
});
