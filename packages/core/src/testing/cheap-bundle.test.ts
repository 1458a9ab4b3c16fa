import { describe, expect, it } from "vitest";
import { sealBundleAt } from "../bundle/file-format.ts";
import { readBundle } from "../bundle/import.ts";
import { APIKEY_VERSION, encodePayload } from "../bundle/payload.ts";
import { isApikeyError } from "../errors.ts";
import { fakeApiKey } from "../test-keys.ts";
import { readCheapBundle } from "./cheap-bundle.ts";
import { TEST_SCRYPT } from "./cheap-passphrase.ts";

// The test-only way to a cheap bundle. What apikey itself writes (always N=2^17) is checked in file-format.test.ts
// (sealBundle) and tests/e2e/issue12-bundle-roundtrip.test.ts (the whole export, in process and through the CLI).

const PASS = "unit test passphrase, FAKE-TEST";
const plaintext = () =>
  encodePayload({
    apikeyVersion: APIKEY_VERSION,
    exportedAt: new Date("2026-01-02T03:04:05.000Z"),
    profiles: [{ name: "default", activeKey: "work" }],
    keys: [
      {
        name: "work",
        profile: "default",
        kind: "api",
        source: "manual",
        organization: null,
        workspace: null,
        status: "active",
        createdAt: new Date("2026-01-01T00:00:00.000Z"),
        lastUsedAt: null,
        lastValidatedAt: null,
        validation: null,
        validationMessage: null,
        monthlyBudgetUsd: null,
        budgetMode: "warn",
        upstreamId: null,
        secret: fakeApiKey("CHEAP_BUNDLE"),
      },
    ],
  });

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return isApikeyError(err) ? err.code : String(err);
  }
}

describe("cheap bundles (tests only)", () => {
  it("record TEST_SCRYPT and read back through the real reader's code, wrong passphrase included", async () => {
    const text = await sealBundleAt(plaintext(), PASS, TEST_SCRYPT);
    expect(JSON.parse(text).kdf).toMatchObject({ name: "scrypt", ...TEST_SCRYPT });
    const content = await readCheapBundle(text, PASS);
    expect(content.profiles).toEqual([{ name: "default", activeKey: "work" }]);
    expect(content.keys.map((k) => [k.name, k.secret])).toEqual([["work", fakeApiKey("CHEAP_BUNDLE")]]);
    expect(await code(readCheapBundle(text, "another FAKE-TEST passphrase"))).toBe("E_BUNDLE_PASSPHRASE");
  });

  it("never reach apikey: its reader refuses one as weaker than it writes, before deriving anything", async () => {
    const text = await sealBundleAt(plaintext(), PASS, TEST_SCRYPT);
    expect(await code(readBundle(text, PASS))).toBe("E_BUNDLE_CORRUPT");
    await expect(readBundle(text, PASS)).rejects.toThrow(/weaker than apikey writes/);
  });

  it("one step below TEST_SCRYPT is refused by the cheap reader too", async () => {
    const doc = JSON.parse(await sealBundleAt(plaintext(), PASS, TEST_SCRYPT));
    const lower = JSON.stringify({ ...doc, kdf: { ...doc.kdf, N: TEST_SCRYPT.N / 2 } });
    expect(await code(readCheapBundle(lower, PASS))).toBe("E_BUNDLE_CORRUPT");
  });
});
