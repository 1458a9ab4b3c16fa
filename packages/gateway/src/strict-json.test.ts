import { propertySeed, seededRandom } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { firstDuplicateKey, foldKey, parseStrictJson } from "./strict-json.ts";

const READ = new Set(["model", "requests", "params"]);

describe("issue 20 item 2: strict JSON for request bodies", () => {
  it.each([
    ['{"model":"a","model":"b"}', "model"],
    ['{"mod\\u0065l":"a","model":"b"}', "model"],
    ['{"model":"a","\\u006d\\u006f\\u0064\\u0065\\u006c":"b"}', "model"],
    ['{"requests":[{"custom_id":"x","params":{"model":"a","model":"b"}}]}', "model"],
    ['{"requests":[{"params":{"model":"a"},"params":{"model":"b"}}]}', "params"],
    ['{"requests":[],"requests":[{"params":{"model":"b"}}]}', "requests"],
    ['{"a":{"b":[1,{"c":1,"c":2}]}}', "c"],
    ['{"a\\"":1,"a\\u0022":2}', 'a"'],
    ['{"\\\\":1,"\\u005c":2}', "\\"],
    ['{"":1,"":2}', ""],
    ['{"\\ud83d\\ude00":1,"😀":2}', "😀"],
  ])("refuses %s (the key %j twice)", (text, key) => {
    expect(parseStrictJson(text, READ)).toEqual({
      ok: false,
      reason: "duplicate_key",
      key: expect.any(String),
    });
    expect(firstDuplicateKey(text, READ)).toBe(key);
  });

  it.each([
    '{"model":"a","Model":"b"}',
    '{"model":"a","MODEL":"b"}',
    '{"model":"a","ｍｏｄｅｌ":"b"}',
    '{"model":"a","model\\u0000x":"b"}',
    '{"model":"a","mo\\u200bdel":"b"}',
    '{"model":"a"," model ":"b"}',
    '{"requests":[{"params":{"model":"a","Model":"b"}}]}',
    '{"requests":[],"Requests":[]}',
  ])(
    "refuses %s: names the gateway reads collide by case, compatibility form or invisible characters",
    (text) => {
      expect(parseStrictJson(text, READ)).toMatchObject({ ok: false, reason: "duplicate_key" });
    },
  );

  it.each([
    '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}',
    '{"id":1,"ID":2}',
    '{"model":"a","models":"b","model_":"c"}',
    '{"text":"\\",\\"model\\":\\"b","model":"a"}',
    '{"a":"\\\\","a\\\\":"\\\\\\""}',
    '[{"model":"a"},{"model":"b"}]',
    '"model"',
    "[]",
    "{}",
    ' { "model" : "a" , "x" : { } } ',
  ])("accepts %s", (text) => {
    expect(parseStrictJson(text, READ)).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it.each(["", "{", '{"a":1,}', "\ufeff{}", "{'a':1}", '{"a":1}x', "nul"])("calls %j invalid", (text) => {
    expect(parseStrictJson(text, READ)).toEqual({ ok: false, reason: "invalid" });
  });

  it("folds what a lenient parser might merge, and nothing else", () => {
    expect(foldKey("Model")).toBe("model");
    expect(foldKey("ＭＯＤＥＬ")).toBe("model");
    expect(foldKey("max_to\u212aens")).toBe("max_tokens");
    expect(foldKey("model\u0000opus")).toBe("model");
    expect(foldKey("models")).toBe("models");
  });

  it("scans a 6 MB body of strings without escapes in linear time", () => {
    const text = JSON.stringify({
      messages: Array.from({ length: 200_000 }, (_, i) => ({ role: "user", content: `m${i}` })),
    });
    const started = performance.now();
    expect(parseStrictJson(text, READ).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

// Property: on every text JSON.parse accepts, the scan finds a repeated key exactly when an independent
// recursive-descent reading finds one, and a body without one parses to JSON.parse's own value.
describe("issue 20 item 2: strict JSON fuzz against JSON.parse", () => {
  const random = seededRandom(propertySeed("strict JSON fuzz", 0x5a11d));
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

  const KEY_CHARS = [
    "a",
    "b",
    "m",
    "o",
    "d",
    "e",
    "l",
    '"',
    "\\",
    "/",
    "\u0000",
    "\u001f",
    "é",
    "😀",
    " ",
    "\u2028",
  ];
  const randomKey = () => Array.from({ length: int(4) }, () => pick(KEY_CHARS)).join("");
  const ws = () => pick(["", "", " ", "\n", "\t ", "\r\n  "]);

  /** A string literal spelled one of several ways: some characters as \u escapes, `/` as `\/`. */
  function literal(s: string): string {
    let out = '"';
    for (const ch of s) {
      const plain = JSON.stringify(ch).slice(1, -1);
      const roll = int(4);
      if (roll === 0 && ch.length === 1) out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
      else if (roll === 0)
        out += [...ch.split("")].map((u) => `\\u${u.charCodeAt(0).toString(16).toUpperCase()}`).join("");
      else if (ch === "/" && roll === 1) out += "\\/";
      else out += plain;
    }
    return `${out}"`;
  }

  function value(depth: number): unknown {
    const roll = int(depth > 3 ? 4 : 7);
    if (roll === 0) return int(1000) - 500;
    if (roll === 1) return pick([true, false, null, 1.5e300, -0.25]);
    if (roll === 2 || roll === 3) return randomKey();
    if (roll === 4) return Array.from({ length: int(4) }, () => value(depth + 1));
    const obj: Record<string, unknown> = {};
    for (let k = int(5); k > 0; k--) obj[randomKey()] = value(depth + 1);
    return obj;
  }

  /** Serialises with random spacing and spellings; `dup` (once) repeats a key of some object, re-spelled. */
  function write(v: unknown, dup: { left: number }): string {
    if (typeof v === "string") return literal(v);
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => write(x, dup)).join(`${ws()},${ws()}`)}${ws()}]`;
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v).map(([k, x]) => `${literal(k)}${ws()}:${ws()}${write(x, dup)}`);
      const keys = Object.keys(v);
      if (keys.length > 0 && dup.left > 0 && int(3) === 0) {
        dup.left--;
        entries.splice(int(entries.length + 1), 0, `${literal(pick(keys))}:${write(value(3), { left: 0 })}`);
      }
      return `{${ws()}${entries.join(`${ws()},${ws()}`)}${ws()}}`;
    }
    return JSON.stringify(v);
  }

  it("agrees with JSON.parse on 3000 random bodies, with and without a repeated key", () => {
    let duplicated = 0;
    for (let n = 0; n < 3000; n++) {
      const doc = { model: randomKey(), params: value(0), requests: [value(1), value(1)] };
      const clean = write(doc, { left: 0 });
      expect(parseStrictJson(clean), clean).toEqual({ ok: true, value: JSON.parse(clean) });
      const dup = { left: 1 };
      const twice = write(doc, dup);
      if (dup.left === 0) {
        duplicated++;
        expect(parseStrictJson(twice), twice).toMatchObject({ ok: false, reason: "duplicate_key" });
      }
    }
    expect(duplicated).toBeGreaterThan(500);
  });

  it("never throws on mangled text, and agrees with JSON.parse and an independent reading", () => {
    const BYTES = ['"', "\\", "{", "}", "[", "]", ",", ":", "u", "0", " ", "a"];
    let valid = 0;
    for (let n = 0; n < 5000; n++) {
      let text = write({ model: randomKey(), x: value(1) }, { left: int(2) });
      for (let m = int(3); m >= 0; m--) {
        const at = int(text.length + 1);
        text = text.slice(0, at) + pick(BYTES) + text.slice(at + int(2));
      }
      let parsed: unknown;
      let ok = true;
      try {
        parsed = JSON.parse(text);
      } catch {
        ok = false;
      }
      const got = parseStrictJson(text);
      if (!ok) {
        expect(got, text).toEqual({ ok: false, reason: "invalid" });
        continue;
      }
      valid++;
      const dup = referenceDuplicate(text);
      if (dup === null) expect(got, text).toEqual({ ok: true, value: parsed });
      else expect(got, text).toEqual({ ok: false, reason: "duplicate_key", key: dup });
    }
    expect(valid).toBeGreaterThan(500);
  });
});

/** The first repeated key, by a recursive-descent reading of text JSON.parse accepted (the test's oracle). */
function referenceDuplicate(text: string): string | null {
  let i = 0;
  let found: string | null = null;
  const skipWs = () => {
    while (/\s/.test(text[i] ?? "") && " \t\n\r".includes(text[i] as string)) i++;
  };
  const str = (): string => {
    const m = /^"(?:[^"\\]|\\.)*"/su.exec(text.slice(i)) as RegExpExecArray;
    i += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const val = (): void => {
    skipWs();
    const c = text[i];
    if (c === "{") {
      i++;
      const seen = new Set<string>();
      skipWs();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        skipWs();
        const k = str();
        if (seen.has(k) && found === null) found = k;
        seen.add(k);
        skipWs();
        i++; // :
        val();
        skipWs();
        if (text[i++] === "}") return;
      }
    }
    if (c === "[") {
      i++;
      skipWs();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        val();
        skipWs();
        if (text[i++] === "]") return;
      }
    }
    if (c === '"') {
      str();
      return;
    }
    const m = /^[^,\]}\s]+/.exec(text.slice(i)) as RegExpExecArray;
    i += m[0].length;
  };
  val();
  return found;
}
