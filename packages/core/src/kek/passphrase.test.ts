import { expect, it } from "vitest";
import { checkExportPassphrase } from "../bundle/envelope.ts";
import { checkNewPassphrase, MIN_PASSPHRASE_LENGTH } from "./passphrase.ts";

it("item 12: one passphrase minimum (12 characters) for the store and for bundles", () => {
  expect(MIN_PASSPHRASE_LENGTH).toBe(12);
  for (const check of [checkNewPassphrase, checkExportPassphrase]) {
    expect(() => check("eleven char")).toThrow(expect.objectContaining({ code: "E_PASSPHRASE_WEAK" }));
    expect(() => check("twelve chars")).not.toThrow();
    // Counted in characters as typed, not UTF-16 units: 11 emoji are still too short.
    expect(() => check("😀".repeat(11))).toThrow(expect.objectContaining({ code: "E_PASSPHRASE_WEAK" }));
  }
});
