import { expect, it } from "vitest";
import { checkExportPassphrase } from "../bundle/file-format.ts";
import { passphraseSource } from "../master-key/sources.ts";
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
  const slot = {
    id: "slot-1",
    name: "passphrase",
    kind: "passphrase" as const,
    params,
    wrappedDek: new Uint8Array(),
    dekNonce: new Uint8Array(),
    createdAt: new Date(),
    lastUsedAt: null,
  };
  const opened = await passphraseSource({ passphrase: "eight888" }).open(slot);
  expect(opened?.equals(kek)).toBe(true);
});
