import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { createMaskStream } from "./mask-stream.ts";

const A = "sk-ant-api03-FAKE_TEST_MASK_A_xxxxxxxxxxxxAA";
const B = "sk-ant-api03-FAKE_TEST_B_yyAA";
const conceal = [
  { secret: A, hint: "[A]" },
  { secret: B, hint: "[B]" },
];

async function through(chunks: string[]): Promise<string> {
  const src = Readable.from(chunks.map((c) => Buffer.from(c)));
  return (await buffer(src.pipe(createMaskStream(conceal)))).toString();
}

describe("createMaskStream", () => {
  it("replaces every secret, whole or split at any byte", async () => {
    const text = `x ${A} y ${B}\n${A}${A}z`;
    const want = "x [A] y [B]\n[A][A]z";
    expect(await through([text])).toBe(want);
    for (let i = 0; i <= text.length; i++) {
      expect(await through([text.slice(0, i), text.slice(i)])).toBe(want);
    }
    expect(await through([...text])).toBe(want);
  });

  it("passes other bytes through unchanged, including near-misses", async () => {
    const near = `${A.slice(0, -1)}! and ${B.slice(1)}`;
    expect(await through([near.slice(0, 10), near.slice(10)])).toBe(near);
    expect(await through([])).toBe("");
  });
});

describe("what waits", () => {
  it("holds back only a chunk end that could start a secret", async () => {
    const mask = createMaskStream(conceal);
    const seen: string[] = [];
    mask.on("data", (d: Buffer) => seen.push(d.toString()));
    mask.write("Password? ");
    await new Promise((r) => setImmediate(r));
    expect(seen.join("")).toBe("Password? ");
    mask.write(`x ${A.slice(0, 20)}`);
    await new Promise((r) => setImmediate(r));
    expect(seen.join("")).toBe("Password? x ");
    mask.end(`${A.slice(20)}!`);
    await new Promise((r) => mask.on("end", r));
    expect(seen.join("")).toBe("Password? x [A]!");
  });
});
