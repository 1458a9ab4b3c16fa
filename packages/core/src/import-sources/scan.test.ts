import { describe, expect, it } from "vitest";
import { isApikeyError } from "../errors.ts";
import { fakeApiKey, fakeOauthToken } from "../test-keys.ts";
import { toKeyName } from "./candidates.ts";
import { scanDotenv } from "./dotenv.ts";
import { opencodeAuthPath, scanOpencodeAuth } from "./opencode.ts";

const naming = { profile: "default" };
const A = fakeApiKey("SCAN_A");
const B = fakeApiKey("SCAN_B");

describe("scanDotenv", () => {
  it("reads export, quoted and commented forms and ignores other variables", () => {
    const scan = scanDotenv(
      [
        `export ANTHROPIC_API_KEY="${A}"`,
        `ANTHROPIC_API_KEY='${B}' # note`,
        `MY_ANTHROPIC_API_KEY=${A}`,
        `ANTHROPIC_API_KEY=${A} # same again`,
      ].join("\r\n"),
      "/x/.env.local",
      naming,
    );
    expect(scan.keys.map((k) => [k.name, k.secret, k.naming, k.source])).toEqual([
      ["dotenv-env.local", A, "number", "import"],
      ["dotenv-env.local", B, "number", "import"],
      ["dotenv-env.local", A, "number", "import"],
    ]);
    expect(scan.skipped).toEqual([]);
  });

  it("reports malformed values without their content and numbers --name", () => {
    const scan = scanDotenv(
      `ANTHROPIC_API_KEY=sk-ant-api03-short\nANTHROPIC_API_KEY=${A}\nANTHROPIC_API_KEY=${B}`,
      ".env",
      {
        profile: "p",
        name: "main",
      },
    );
    expect(scan.keys.map((k) => [k.name, k.naming, k.profile])).toEqual([
      ["main", "exact", "p"],
      ["main-2", "exact", "p"],
    ]);
    expect(scan.skipped).toHaveLength(1);
    expect(scan.skipped[0]?.reason).toBe("malformed");
    expect(scan.skipped[0]?.detail).not.toContain("short");
  });
});

describe("scanOpencodeAuth", () => {
  it("keeps Anthropic API keys and skips OAuth, wellknown and other providers", () => {
    const scan = scanOpencodeAuth(
      JSON.stringify({
        anthropic: { type: "api", key: A },
        "anthropic-work": { type: "api", key: B },
        openai: { type: "api", key: "sk-proj-FAKE" },
        copilot: { type: "oauth", refresh: "r", access: fakeOauthToken("X"), expires: 1 },
        corp: { type: "wellknown", key: "k", token: "t" },
        odd: "not an object",
      }),
      "auth.json",
      naming,
    );
    expect(scan.keys.map((k) => k.name)).toEqual(["opencode-anthropic", "opencode-anthropic-work"]);
    expect(scan.skipped.map((s) => [s.name, s.reason])).toEqual([
      ["opencode-openai", "not-anthropic"],
      ["opencode-copilot", "oauth"],
      ["opencode-corp", "unsupported"],
      ["opencode-odd", "unsupported"],
    ]);
  });

  it("refuses a file that is not a JSON object with E_IMPORT_SOURCE", () => {
    for (const text of ["{", "[]", "null"]) {
      let caught: unknown;
      try {
        scanOpencodeAuth(text, "auth.json", naming);
      } catch (err) {
        caught = err;
      }
      expect(isApikeyError(caught, "E_IMPORT_SOURCE")).toBe(true);
    }
  });

  it("finds auth.json under XDG_DATA_HOME, else ~/.local/share", () => {
    expect(opencodeAuthPath({ XDG_DATA_HOME: "/d" }, "/h")).toBe("/d/opencode/auth.json");
    expect(opencodeAuthPath({}, "/h")).toBe("/h/.local/share/opencode/auth.json");
  });
});

describe("toKeyName", () => {
  it("makes a valid name out of anything", () => {
    expect(toKeyName("dotenv", ".env")).toBe("dotenv-env");
    expect(toKeyName("opencode", "my provider/β")).toBe("opencode-my-provider");
    expect(toKeyName("x", "...")).toBe("x");
    expect(toKeyName("opencode", "a".repeat(100))).toHaveLength(56);
  });
});
