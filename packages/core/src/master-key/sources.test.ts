import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { MasterKeySlot } from "../domain.ts";
import { ERROR_CODES } from "../errors.ts";
import { generatedMasterKey, keyFileSource, masterKeySource, passphraseSource } from "./sources.ts";
import { createMasterKey } from "./unlock.ts";

const masterKey = Buffer.alloc(32, 7).toString("base64");
const slot = (s: Partial<MasterKeySlot>): MasterKeySlot => ({
  id: "slot-1",
  name: "env",
  kind: "env",
  params: null,
  wrappedDek: new Uint8Array(),
  dekNonce: new Uint8Array(),
  createdAt: new Date(),
  lastUsedAt: null,
  ...s,
});

describe("master-key sources", () => {
  it("a raw master key opens and creates; a malformed one is refused by code", async () => {
    const made = await masterKeySource(masterKey).create?.();
    expect(made?.kind).toBe("env");
    expect(made?.kek.equals(Buffer.alloc(32, 7))).toBe(true);
    expect((await masterKeySource(masterKey).open(slot({})))?.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(await masterKeySource(undefined).open(slot({}))).toBeNull();
    await expect(masterKeySource("c2hvcnQ=").open(slot({}))).rejects.toMatchObject({
      code: ERROR_CODES.MASTER_KEY_FORMAT,
    });
  });

  it("a generated master key is new each time and shown once, never offered for opening", async () => {
    const a = await generatedMasterKey().create?.();
    const b = await generatedMasterKey().create?.();
    expect(a?.reveal).toBe(a?.kek.toString("base64"));
    expect(a?.kek.equals(b?.kek ?? Buffer.alloc(0))).toBe(false);
    expect(await generatedMasterKey().open(slot({}))).toBeNull();
  });

  it("derives the same key from the same passphrase and parameters, asking at most once", async () => {
    const made = await passphraseSource({ passphrase: "correct horse battery" }).create?.();
    expect(made?.params).toMatchObject({ name: "scrypt", N: 2 ** 17, r: 8, p: 1 });
    let asked = 0;
    const prompted = passphraseSource({
      prompt: async () => {
        asked++;
        return "correct horse battery";
      },
    });
    expect(prompted.interactive).toBe(true);
    const s = slot({ kind: "passphrase", params: made?.params ?? null });
    expect((await prompted.open(s))?.equals(made?.kek ?? Buffer.alloc(0))).toBe(true);
    await prompted.open(s);
    expect(asked).toBe(1);
    // Creating without a given passphrase does not prompt unless asked to.
    expect(await prompted.create?.()).toBeNull();
  });

  it("refuses a short new passphrase", async () => {
    await expect(passphraseSource({ passphrase: "short" }).create?.()).rejects.toMatchObject({
      code: ERROR_CODES.PASSPHRASE_WEAK,
    });
  });

  it("falls back to a 0600 key file with a warning; a missing file offers nothing", async () => {
    const temp = mkdtempSync(join(tmpdir(), "apikey-kek-"));
    onTestFinished(() => rmSync(temp, { recursive: true, force: true }));
    const dir = join(temp, "store");
    const source = keyFileSource(dir);
    const made = await source.create?.();
    expect(made?.warning).toBeTruthy();
    expect(statSync(join(dir, "master.key")).mode & 0o777).toBe(0o600);
    expect((await source.open(slot({ kind: "keyfile" })))?.equals(made?.kek ?? Buffer.alloc(0))).toBe(true);
    // Never removed on a failed creation: a concurrent creator may be committing with this very file.
    expect(made?.discard).toBeUndefined();
    expect((await source.create?.())?.kek.equals(made?.kek ?? Buffer.alloc(0))).toBe(true);
    rmSync(join(dir, "master.key"));
    expect(await source.open(slot({ kind: "keyfile" }))).toBeNull();
  });

  it("creates with the first source that can, in the front's order", async () => {
    const made = await createMasterKey([
      passphraseSource({}),
      masterKeySource(undefined),
      masterKeySource(masterKey),
    ]);
    expect(made.kind).toBe("env");
    await expect(createMasterKey([masterKeySource(undefined)])).rejects.toMatchObject({
      code: ERROR_CODES.MASTER_KEY_MISSING,
    });
  });
});
