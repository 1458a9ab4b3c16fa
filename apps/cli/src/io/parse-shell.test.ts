import { propertySeed, seededRandom } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { parseShell, SHELL_CHOICES } from "./shell-quote.ts";

// Issue 23 item 8: `apikey env --shell zsh` was refused though zsh takes sh syntax.

describe("issue 23 item 8: parseShell", () => {
  it("takes every POSIX shell name as sh, in any case, bare or as a path, with stray whitespace", () => {
    for (const name of ["sh", "bash", "zsh", "dash", "ksh", "ash"])
      for (const spelling of [
        name,
        name.toUpperCase(),
        ` ${name}\t`,
        `/bin/${name}`,
        `/usr/local/bin/${name}`,
      ])
        expect(parseShell(spelling), spelling).toBe("sh");
    expect(parseShell("fish")).toBe("fish");
    expect(parseShell("/opt/homebrew/bin/fish")).toBe("fish");
    for (const s of [
      "powershell",
      "pwsh",
      "PowerShell",
      "pwsh.exe",
      "C:/Program Files/PowerShell/7/pwsh.exe",
    ])
      expect(parseShell(s), s).toBe("powershell");
  });

  it("refuses anything else, prototype names included", () => {
    for (const s of [
      "",
      " ",
      "/",
      "/bin/",
      "tcsh",
      "csh",
      "zsh5",
      "z sh",
      "sh;rm",
      "constructor",
      "__proto__",
      "toString",
    ])
      expect(parseShell(s), JSON.stringify(s)).toBeNull();
  });

  it("random strings: null or one of the three syntaxes, and a known name whenever it is one (seeded)", () => {
    const seed = propertySeed("parseShell fuzz", 2323);
    const random = seededRandom(seed);
    const next = () => Math.floor(random() * 2 ** 32);
    const alphabet = "shbazfipwroel/. \t-_\u00e9\u0455";
    for (let i = 0; i < 5000; i++) {
      const length = next() % 12;
      let text = "";
      for (let j = 0; j < length; j++) text += alphabet[next() % alphabet.length];
      const shell = parseShell(text);
      expect([null, "sh", "fish", "powershell"]).toContain(shell);
      const base =
        text
          .trim()
          .split("/")
          .pop()
          ?.toLowerCase()
          .replace(/\.exe$/, "") ?? "";
      expect(shell !== null, JSON.stringify(text)).toBe(SHELL_CHOICES.includes(base));
    }
  });
});
