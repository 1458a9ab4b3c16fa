import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "./errors.ts";
import { isRecognisedKey } from "./key-format.ts";
import { LONGEST_KEY } from "./key-shapes.ts";
import { findKeysInText, holdsKeyLikeText, redactKeyLike, startsLikeKey } from "./scan/index.ts";
import { createKeyStreamScanner } from "./scan/key-stream.ts";
import { fakeAdminKey, fakeApiKey, fakeOauthToken } from "./test-keys.ts";
import { checkName } from "./vault/names.ts";

const KEY = fakeApiKey("SHAPES");
const BODY = KEY.slice("sk-ant-".length);
const FULLWIDTH = (s: string) =>
  [...s]
    .map((c) => (c >= "!" && c <= "~" ? String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0) : c))
    .join("");

/** Spellings of a credential someone meant; none but the plain ones is a usable key. */
const SPELLINGS: Record<string, string> = {
  plain: KEY,
  admin: fakeAdminKey("SHAPES"),
  oauth: fakeOauthToken("SHAPES"),
  "longest oauth": `sk-ant-oat01-${"T".repeat(300)}`,
  upper: KEY.toUpperCase(),
  "space after prefix": `sk-ant- ${BODY}`,
  "zero-width after prefix": `sk-ant-\u200b${BODY}`,
  "zero-width inside the prefix": `s\u200bk-ant-${BODY}`,
  fullwidth: FULLWIDTH(KEY),
  "Cyrillic prefix": `ѕк-аnt-${BODY}`,
  "combining accent on the prefix": `s\u0301k-ant-${BODY}`,
  "line break inside": `${KEY.slice(0, 40)}\n${KEY.slice(40)}`,
  "one short": `${KEY.slice(0, -3)}AA`,
  "one long": `${KEY.slice(0, -2)}xAA`,
  "oauth one too long": `sk-ant-oat01-${"T".repeat(301)}`,
  truncated: KEY.slice(0, 30),
  "mistyped version": `sk-ant-api3-${BODY.slice(6, 30)}`,
  "long kind name": `sk-ant-organisation01-${BODY.slice(6, 20)}`,
  "no kind": `sk-ant-${BODY.slice(6)}`,
  refresh: `sk-ant-ort01-${BODY.slice(6)}`,
};
const STRICT = new Set(["plain", "admin", "oauth", "longest oauth"]);

function streamed(text: string): string[] {
  const scanner = createKeyStreamScanner();
  const bytes = Buffer.from(text, "latin1");
  const found = [];
  for (let i = 0; i < bytes.length; i += 7) found.push(...scanner.push(bytes.subarray(i, i + 7)));
  found.push(...scanner.end());
  return found.map((f) => f.secret);
}

describe("issue 21: the key-shape rule has one home, strict and loose", () => {
  it("strict: recognise, find in text and the streaming scan accept exactly the same spellings", () => {
    for (const [what, s] of Object.entries(SPELLINGS)) {
      const want = STRICT.has(what);
      expect(isRecognisedKey(s), what).toBe(want);
      expect(
        findKeysInText(`x ${s} y`).map((f) => f.secret),
        what,
      ).toEqual(want ? [s] : []);
      expect(streamed(`x ${s} y`), what).toEqual(want ? [s] : []);
    }
    expect(LONGEST_KEY).toBe(SPELLINGS["longest oauth"]?.length);
  });

  it("loose: every spelling is refused where keys never go, and redacted from output", () => {
    for (const [what, s] of Object.entries(SPELLINGS)) {
      expect(holdsKeyLikeText(`use ${s}`), what).toBe(true);
      expect(startsLikeKey(s), what).toBe(true);
      const shown = redactKeyLike(`error: unknown option '${s}' (try --help)`);
      expect(shown, what).toBe("error: unknown option '[redacted]' (try --help)");
    }
  });

  it("loose redaction stops where the key ends: text after a whole key is kept", () => {
    expect(redactKeyLike(`got ${KEY} with more words`)).toBe("got [redacted] with more words");
    expect(redactKeyLike(`got ${FULLWIDTH(KEY)}\nnext line`)).toBe("got [redacted]\nnext line");
    // A key broken by a space is still one key: the run goes on to the kind's full length.
    expect(redactKeyLike(`a ${KEY.slice(0, 50)} ${KEY.slice(50)} b`)).toBe("a [redacted] b");
    expect(redactKeyLike("no key at all, sk and ant")).toBe("no key at all, sk and ant");
  });

  it("a name that starts like a key is refused however it is cased or spelled", () => {
    for (const name of ["SK-ANT-API03-FAKE", "sk-ant-x", "Sk-Ant-admin01-x"]) {
      let code: string | undefined;
      try {
        checkName(name, "key");
      } catch (err) {
        code = (err as { code?: string }).code;
        expect((err as Error).message, name).toContain("looks like a key");
      }
      expect(code, name).toBe(ERROR_CODES.NAME_INVALID);
    }
    expect(checkName("skant-work", "key")).toBe("skant-work");
  });
});
