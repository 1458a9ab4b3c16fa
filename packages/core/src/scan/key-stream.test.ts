import { describe, expect, it } from "vitest";
import { propertySeed, seededRandom } from "../property-seed.ts";
import { fakeAdminKey, fakeApiKey, fakeOauthToken } from "../test-keys.ts";
import { findKeysInText } from "./find-keys.ts";
import { createKeyStreamScanner } from "./key-stream.ts";

// Issue 20 item 12: the streaming search finds exactly what the whole-text search finds, however the bytes are cut.

function streamed(text: string, cuts: number[]) {
  const bytes = Buffer.from(text, "latin1");
  const scanner = createKeyStreamScanner();
  const found = [];
  let at = 0;
  // One buffer reused for every chunk, as a file reader does.
  const chunk = Buffer.alloc(bytes.length + 1);
  for (const size of [...cuts, bytes.length]) {
    const n = Math.min(size, bytes.length - at);
    bytes.copy(chunk, 0, at, at + n);
    found.push(...scanner.push(chunk.subarray(0, n)));
    chunk.fill(0x78);
    at += n;
    if (at >= bytes.length) break;
  }
  found.push(...scanner.end());
  return found;
}

/** The same, the last chunk marked as last instead of calling end(). */
function streamedLast(text: string, cuts: number[]) {
  const bytes = Buffer.from(text, "latin1");
  const scanner = createKeyStreamScanner();
  const found = [];
  let at = 0;
  for (const size of cuts) {
    const n = Math.min(size, bytes.length - at);
    found.push(...scanner.push(bytes.subarray(at, at + n), at + n >= bytes.length));
    at += n;
  }
  found.push(...scanner.push(bytes.subarray(at), true));
  return found;
}

describe("issue 20 item 12: keys split across chunks are found once, look-alikes split across chunks are not", () => {
  const api = fakeApiKey("STREAM_A");
  const oauth = fakeOauthToken("STREAM_O");
  const keys = [api, fakeAdminKey("STREAM_B"), oauth, `sk-ant-oat01-${"T".repeat(300)}`];

  it("every cut position through each key shape, and one byte at a time", () => {
    for (const key of keys) {
      const text = `line one\nKEY=${key}\n`;
      const whole = findKeysInText(text);
      expect(whole).toEqual([{ secret: key, line: 2 }]);
      for (let cut = 0; cut <= text.length; cut++) expect(streamed(text, [cut])).toEqual(whole);
      expect(streamed(text, Array(text.length).fill(1))).toEqual(whole);
    }
  });

  it("a key at the very end of the stream, without a newline", () => {
    for (const key of keys) expect(streamed(`x ${key}`, [5, 50])).toEqual([{ secret: key, line: 1 }]);
  });

  it("look-alikes stay refused when the cut falls right after a valid-looking prefix", () => {
    const looks = [
      `${api}x`,
      `x${api}`,
      `${api.slice(0, -3)}AA`,
      `sk-ant-oat01-${"T".repeat(301)}`,
      `a${oauth}`,
    ];
    for (const look of looks) {
      for (let cut = 0; cut <= look.length; cut += 7) expect(streamed(`${look}\n`, [cut])).toEqual([]);
      expect(streamed(look, [look.length - 1])).toEqual([]);
    }
  });

  it("one scanner reused: end() starts the next stream afresh (lines from 1, nothing carried over)", () => {
    const scanner = createKeyStreamScanner();
    expect(scanner.push(Buffer.from(`a\nb\n${api.slice(0, 60)}`, "latin1"))).toEqual([]);
    expect(scanner.end()).toEqual([]);
    expect(scanner.push(Buffer.from(`${api.slice(60)}\n${api}\n`, "latin1"))).toEqual([
      { secret: api, line: 2 },
    ]);
    expect(scanner.end()).toEqual([]);
  });

  it("property: random text and random cuts give the whole-text answer (seeded)", () => {
    const SEED = propertySeed("key-stream property test", 0x20_12);
    const random = seededRandom(SEED);
    const int = (n: number) => Math.floor(random() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
    const filler = ["\n", " ", "a", "Z9_-", "sk-ant-", "sk-ant-api03-", "=", '"', "\r\n", "\u00ff", "sk"];
    for (let i = 0; i < 400; i++) {
      let text = "";
      for (let n = int(40); n > 0; n--) {
        const r = random();
        if (r < 0.15) text += pick(keys);
        else if (r < 0.25) text += pick(keys).slice(0, int(120));
        else text += pick(filler).repeat(1 + int(30));
      }
      const cuts = Array.from({ length: int(12) }, () => 1 + int(400));
      expect(streamed(text, cuts), `seed ${SEED}, case ${i}`).toEqual(findKeysInText(text));
      expect(streamedLast(text, cuts), `seed ${SEED}, case ${i} (last)`).toEqual(findKeysInText(text));
    }
  });
});
