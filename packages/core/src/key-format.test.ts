import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "./errors.ts";
import { maskKey, recogniseKey } from "./key-format.ts";
import { fakeAdminKey, fakeApiKey, fakeOauthToken } from "./test-keys.ts";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe("recogniseKey", () => {
  it("recognises the three kinds by prefix and structure", () => {
    expect(fakeApiKey()).toHaveLength(108);
    expect(fakeAdminKey()).toHaveLength(110);
    expect(recogniseKey(fakeApiKey()).kind).toBe("api");
    expect(recogniseKey(fakeAdminKey()).kind).toBe("admin");
    expect(recogniseKey(fakeOauthToken()).kind).toBe("oauth");
  });

  it("forgives surrounding whitespace from a paste", () => {
    expect(recogniseKey(`  ${fakeApiKey()}\n`).secret).toBe(fakeApiKey());
  });

  it.each([
    ["wrong prefix", `sk-proj-${"a".repeat(100)}`],
    ["too short", fakeApiKey().slice(0, 60)],
    ["one too long", `${fakeApiKey()}A`],
    ["bad character", fakeApiKey().replace("FAKE", "FA!E")],
    ["missing AA tail", `${fakeApiKey().slice(0, -2)}BB`],
    ["inner whitespace", fakeApiKey().replace("FAKE", "FA E")],
    ["refresh token", `sk-ant-ort01-${"x".repeat(80)}`],
  ])("rejects %s without echoing it", (_label, input) => {
    try {
      recogniseKey(input);
      expect.unreachable();
    } catch (err) {
      const e = err as { code: string; message: string; hint: string };
      expect(e.code).toBe(ERROR_CODES.KEY_FORMAT);
      expect(e.message).not.toContain(input.slice(13, 30));
      expect(e.hint).toContain("sk-ant-api03-");
    }
  });

  it("says the input was empty", () => {
    expect(codeOf(() => recogniseKey(" \n"))).toBe(ERROR_CODES.KEY_EMPTY);
  });
});

describe("maskKey", () => {
  it("keeps the public prefix and the last four characters only", () => {
    const key = fakeApiKey("MASK");
    expect(maskKey(key)).toBe(`sk-ant-api03-…${key.slice(-4)}`);
    expect(maskKey(fakeAdminKey()).startsWith("sk-ant-admin01-…")).toBe(true);
  });
});
