import { describe, expect, it } from "vitest";
import { choiceScreen, pickProtection, protectionChoices, protectionHint } from "./choices.ts";

describe("issue 23 item 2: the protection of a new store, as a person picks it", () => {
  const noKeychain = protectionChoices(false, "/data/master.key");
  const withKeychain = protectionChoices(true, "/data/master.key");

  it("offers the key file first (the default) without a keychain, the keychain first with one", () => {
    expect(noKeychain.map((c) => c.kind)).toEqual(["keyfile", "passphrase"]);
    expect(withKeychain.map((c) => c.kind)).toEqual(["keychain", "keyfile", "passphrase"]);
  });

  it("says what each choice means for apiKeyHelper, scripts and servers, on one short screen", () => {
    for (const c of withKeychain) expect(c.means, c.kind).toMatch(/apiKeyHelper/);
    const passphrase = withKeychain.find((c) => c.kind === "passphrase");
    expect(passphrase?.means).toMatch(/apikey slot add/);
    expect(withKeychain.find((c) => c.kind === "keyfile")?.means).toMatch(/permissions/);
    const screen = choiceScreen(withKeychain).split("\n");
    expect(screen.length).toBeLessThanOrEqual(12);
    for (const line of screen) expect(line.length, line).toBeLessThanOrEqual(90);
  });

  it("reads the answer as a number, a name in any spelling, or Enter for the default", () => {
    const cases: Array<[string, string | null]> = [
      ["", "keyfile"],
      ["  ", "keyfile"],
      ["1", "keyfile"],
      ["2", "passphrase"],
      [" 2 ", "passphrase"],
      ["passphrase", "passphrase"],
      ["Passphrase", "passphrase"],
      ["key file", "keyfile"],
      ["KEY-FILE", "keyfile"],
      ["keyfile", "keyfile"],
      ["3", null],
      ["0", null],
      ["keychain", null],
      ["yes", null],
      ["12", null],
    ];
    for (const [answer, kind] of cases) expect(pickProtection(answer, noKeychain), answer).toBe(kind);
    expect(pickProtection("", withKeychain)).toBe("keychain");
    expect(pickProtection("os keychain", withKeychain)).toBe("keychain");
    expect(pickProtection("3", withKeychain)).toBe("passphrase");
  });

  it("status hints only for the weak protection, in one line", () => {
    const hint = protectionHint("keyfile");
    expect(hint).toMatch(/apikey rekey --to passphrase/);
    expect(hint).not.toContain("\n");
    for (const kind of ["passphrase", "keychain", "env", null] as const)
      expect(protectionHint(kind)).toBeNull();
  });
});
