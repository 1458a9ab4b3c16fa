import { expect, it } from "vitest";
import { checkExportPassphrase } from "../bundle/envelope.ts";
import { loadConfig } from "../config.ts";
import { unlockKek } from "./index.ts";
import {
  checkNewPassphrase,
  derivePassphraseKek,
  MIN_PASSPHRASE_LENGTH,
  newScryptParams,
} from "./passphrase.ts";

it("item 12: one passphrase minimum (12 characters) for the store and for bundles", () => {
  expect(MIN_PASSPHRASE_LENGTH).toBe(12);
  for (const check of [checkNewPassphrase, checkExportPassphrase]) {
    expect(() => check("eleven char")).toThrow(expect.objectContaining({ code: "E_PASSPHRASE_WEAK" }));
    expect(() => check("twelve chars")).not.toThrow();
    // Counted in characters as typed, not UTF-16 units: 11 emoji are still too short.
    expect(() => check("😀".repeat(11))).toThrow(expect.objectContaining({ code: "E_PASSPHRASE_WEAK" }));
  }
});

it("item 12: a store made under the old 8-character minimum still unlocks (only new passphrases are checked)", async () => {
  const params = { ...newScryptParams(), N: 2 ** 10 };
  const kek = await derivePassphraseKek("eight888", params);
  const meta = {
    kekProvider: "passphrase" as const,
    kdf: params,
    wrappedDek: new Uint8Array(),
    dekNonce: new Uint8Array(),
    createdAt: new Date(),
    updatedAt: new Date(),
  };
  const config = loadConfig({ APIKEY_HOME: "/nonexistent", APIKEY_PASSPHRASE: "eight888" });
  expect((await unlockKek(meta, { config })).equals(kek)).toBe(true);
});
