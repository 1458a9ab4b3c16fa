import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { fakeApiKey, propertySeed, seededRandom } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { createMaskStream } from "./mask-stream.ts";

// Issue 20 item 16: `apikey exec` masked a secret only byte for byte; the same key base64-, hex-, URL-encoded or
// JSON-escaped went through. Each common encoding is masked now, whole or split at any byte between two writes.

const KEY = fakeApiKey("MASKENC");
// Not key-shaped, so that URL and JSON escaping change it.
const ODD = 'FAKE-TEST/secret+with "quotes" & \\ spaces é';
const HINT = "[masked]";

async function through(secrets: string[], chunks: Buffer[]): Promise<string> {
  const mask = createMaskStream(secrets.map((secret) => ({ secret, hint: HINT })));
  return (await buffer(Readable.from(chunks).pipe(mask))).toString();
}

const b64 = (s: string) => Buffer.from(s).toString("base64");
const b64url = (s: string) => Buffer.from(s).toString("base64url");
const hex = (s: string) => Buffer.from(s).toString("hex");
const everyByte = (s: string) => hex(s).replace(/../g, "%$&");

/** Each encoding of `secret`, as a program might print it. */
function encodings(secret: string): Array<[string, string]> {
  return [
    ["base64", b64(secret)],
    ["base64, no padding", b64(secret).replace(/=+$/, "")],
    ["base64url", b64url(secret)],
    ["hex", hex(secret)],
    ["HEX", hex(secret).toUpperCase()],
    ["percent-encoded, every byte", everyByte(secret).toUpperCase()],
    ["percent-encoded, every byte, lower case", everyByte(secret)],
    ["JSON-escaped", JSON.stringify(secret).slice(1, -1)],
    ...(encodeURIComponent(secret) !== secret
      ? ([
          ["URL-encoded", encodeURIComponent(secret)],
          ["URL-encoded, lower-case hex", encodeURIComponent(secret).replace(/%../g, (m) => m.toLowerCase())],
        ] as Array<[string, string]>)
      : []),
    ...(JSON.stringify(secret).includes("/")
      ? ([["JSON-escaped with \\/", JSON.stringify(secret).slice(1, -1).replaceAll("/", "\\/")]] as Array<
          [string, string]
        >)
      : []),
  ];
}

describe("issue 20 item 16: exec masks the common encodings of each secret", () => {
  for (const secret of [KEY, ODD]) {
    for (const [name, encoded] of encodings(secret)) {
      it(`${name} of ${secret === KEY ? "a key" : "a secret with characters that escape"}, split at every byte`, async () => {
        const text = Buffer.from(`before ${encoded} after\n`);
        const want = `before ${HINT} after\n`;
        expect(await through([secret], [text])).toBe(want);
        for (let i = 0; i <= text.length; i++) {
          expect(await through([secret], [text.subarray(0, i), text.subarray(i)])).toBe(want);
        }
      });
    }
  }

  it("a key inside a longer base64 text (a Basic auth header) at each of the 3 alignments", async () => {
    for (const user of ["u:", "us:", "usr:"]) {
      for (const encode of [b64, b64url]) {
        const encoded = encode(`${user}${KEY}`);
        const text = Buffer.from(`Authorization: Basic ${encoded}\n`);
        for (const split of [0, 20, 60, text.length - 3]) {
          const out = await through([KEY], [text.subarray(0, split), text.subarray(split)]);
          expect(out).toContain(HINT);
          // What is left of the encoded text is the user's part and at most one group either side of the key.
          const left = out.replace(`Authorization: Basic `, "").replace(HINT, "").trim();
          expect(left.length, `${user} ${out}`).toBeLessThanOrEqual(8 + 4);
        }
      }
    }
  });

  it("property: random secrets, encodings, surroundings and splits never let an encoding through (seeded)", async () => {
    const seed = propertySeed("mask encodings property test", 0x16a5c0de);
    const random = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const chars = 'abcXYZ019-_/+=" \\%é:';
    const word = (n: number) => Array.from({ length: n }, () => pick([...chars])).join("");
    for (let round = 0; round < 300; round++) {
      const secret = `FAKE-TEST-${word(20 + Math.floor(random() * 60))}`;
      const [name, encoded] = pick(encodings(secret));
      const text = Buffer.from(
        `${word(Math.floor(random() * 30))}${encoded}${word(Math.floor(random() * 30))}`,
      );
      const cuts = [
        0,
        Math.floor(random() * text.length),
        Math.floor(random() * text.length),
        text.length,
      ].sort((a, b) => a - b);
      const chunks = cuts.slice(1).map((end, i) => text.subarray(cuts[i], end));
      const out = await through([secret], chunks);
      expect(out, `seed ${seed} round ${round}: ${name}`).not.toContain(encoded);
      expect(out, `seed ${seed} round ${round}: ${name}`).toContain(HINT);
    }
  });

  it("memory stays bounded: a long output with no secret passes through, holding back less than the longest spelling", async () => {
    const mask = createMaskStream([{ secret: KEY, hint: HINT }]);
    let passed = 0;
    mask.on("data", (d: Buffer) => {
      passed += d.length;
    });
    const chunk = Buffer.alloc(64 * 1024, "%");
    for (let i = 0; i < 64; i++) mask.write(chunk);
    await new Promise((r) => setImmediate(r));
    // "%%%…" could begin a percent-encoded key: at most that spelling's length minus one is held.
    expect(64 * chunk.length - passed).toBeLessThan(KEY.length * 3);
    mask.end();
  });
});
