import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { masterKeySource } from "@apikey/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectClean,
  makeBundleSource,
  PASSPHRASE,
  storeState,
  withPass,
} from "../fixtures/bundle-source.ts";
import {
  jsonError,
  makeHome,
  OTHER_MASTER_KEY,
  type RunOptions,
  runCli,
  type TestHome,
  walk,
} from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Bad bundles through the built CLI's import: each is refused with its code and changes nothing. Split out of
// bundle.test.ts (same describe names) so the suite's two workers share the bundle tests. The bundle they tamper with
// is exported in process by core's own export (its making is not what is tested here); the store it comes from and
// the store it is refused by are made in process too.

describe("apikey export / import (bundles)", () => {
  let bundleText: string;
  const homes: TestHome[] = [];
  const freshHome = async (masterKey = OTHER_MASTER_KEY) => {
    const home = await makeHome();
    homes.push(home);
    return { home, env: { APIKEY_MASTER_KEY: masterKey } } satisfies RunOptions;
  };

  beforeAll(async () => {
    const source = await makeHome();
    homes.push(source);
    await makeBundleSource(source);
    bundleText = (await inProcess(source, (app) => app.bundles.export({ passphrase: PASSPHRASE }))).text;
  });
  afterAll(async () => {
    for (const h of homes) await h.cleanup();
  });

  describe("a bad bundle is refused with its code and leaves the store unchanged", () => {
    let target: RunOptions;
    let before: Awaited<ReturnType<typeof storeState>>;
    beforeAll(async () => {
      target = await freshHome();
      await inProcess(
        target.home,
        (app) => app.keys.add({ name: "existing", secret: fakeApiKey("BUNDLE_EXISTING"), validate: false }),
        [masterKeySource(OTHER_MASTER_KEY)],
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
      ["a future version", () => JSON.stringify({ ...env(), version: 3 }), "E_BUNDLE_VERSION"],
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
