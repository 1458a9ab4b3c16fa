import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import type { StoreMeta } from "../domain.ts";
import { ERROR_CODES } from "../errors.ts";
import { createKek, unlockKek } from "./index.ts";

const masterKey = Buffer.alloc(32, 7).toString("base64");
const meta = (m: Partial<StoreMeta>): StoreMeta => ({
  kekProvider: "env",
  kdf: null,
  wrappedDek: Buffer.alloc(0),
  dekNonce: Buffer.alloc(0),
  createdAt: new Date(),
  updatedAt: new Date(),
  ...m,
});

describe("KEK providers", () => {
  it("prefers APIKEY_MASTER_KEY and rejects a malformed one", async () => {
    const config = loadConfig({ APIKEY_HOME: "/nonexistent", APIKEY_MASTER_KEY: masterKey });
    const made = await createKek({ config });
    expect(made.provider).toBe("env");
    expect(made.kek.equals(Buffer.alloc(32, 7))).toBe(true);
    const bad = loadConfig({ APIKEY_HOME: "/nonexistent", APIKEY_MASTER_KEY: "c2hvcnQ=" });
    await expect(createKek({ config: bad })).rejects.toMatchObject({ code: ERROR_CODES.MASTER_KEY_FORMAT });
  });

  it("derives the same key from the same passphrase and parameters", async () => {
    const config = loadConfig({ APIKEY_HOME: "/nonexistent", APIKEY_PASSPHRASE: "correct horse battery" });
    const made = await createKek({ config });
    expect(made.provider).toBe("passphrase");
    expect(made.kdf).toMatchObject({ name: "scrypt", N: 2 ** 17, r: 8, p: 1 });
    const again = await unlockKek(meta({ kekProvider: "passphrase", kdf: made.kdf }), { config });
    expect(again.equals(made.kek)).toBe(true);
  });

  it("refuses a short new passphrase", async () => {
    const config = loadConfig({ APIKEY_HOME: "/nonexistent", APIKEY_PASSPHRASE: "short" });
    await expect(createKek({ config })).rejects.toMatchObject({ code: ERROR_CODES.PASSPHRASE_WEAK });
  });

  it("falls back to a 0600 key file with a warning when nothing else is available", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "apikey-kek-")), "store");
    const config = loadConfig({ APIKEY_HOME: dir });
    // keyfile is asked for explicitly so the test does not depend on this machine's keychain.
    const made = await createKek({ config }, "keyfile");
    expect(made.provider).toBe("keyfile");
    expect(made.warning).toBeTruthy();
    expect(statSync(join(dir, "master.key")).mode & 0o777).toBe(0o600);
    expect((await unlockKek(meta({ kekProvider: "keyfile" }), { config })).equals(made.kek)).toBe(true);
    // Never removed on a failed creation: a concurrent creator may be committing with this very file.
    expect(made.discard).toBeUndefined();
    const again = await createKek({ config }, "keyfile");
    expect(again.kek.equals(made.kek)).toBe(true);
    rmSync(join(dir, "master.key"));
    await expect(unlockKek(meta({ kekProvider: "keyfile" }), { config })).rejects.toMatchObject({
      code: ERROR_CODES.MASTER_KEY_MISSING,
    });
  });

  it("asks for a missing APIKEY_MASTER_KEY by name", async () => {
    const config = loadConfig({ APIKEY_HOME: "/nonexistent" });
    await expect(unlockKek(meta({ kekProvider: "env" }), { config })).rejects.toMatchObject({
      code: ERROR_CODES.MASTER_KEY_MISSING,
    });
  });
});
