import { styleText } from "node:util";
import { propertySeed, seededRandom } from "@apikey/core/testing";
import { expect, it } from "vitest";
import { escapeBlock, escapeCell, escapeControl, escapeValuesIn } from "./escape.ts";

it("item 9: escapeControl shows C0, DEL, C1 and bidi/line-separator characters escaped", () => {
  expect(escapeControl("x\u001b[2J\u0007\n\u007f\u009b\u202e\u2028y")).toBe(
    "x\\x1b[2J\\x07\\x0a\\x7f\\x9b\\u202e\\u2028y",
  );
  expect(escapeControl("plain ünï 😀 ‘quotes’")).toBe("plain ünï 😀 ‘quotes’");
});

it("item 9: escapeBlock keeps our line breaks, tabs and (when colour is on) our colour codes, nothing else", () => {
  const green = styleText("green", "*", { validateStream: false });
  const text = `${green}\tname\nx\u001b]0;T\u0007 \u001b[31mred`;
  expect(escapeBlock(text, true)).toBe(`${green}\tname\nx\\x1b]0;T\\x07 \u001b[31mred`);
  expect(escapeBlock(text, false)).toBe(`\\x1b[32m*\\x1b[39m\tname\nx\\x1b]0;T\\x07 \\x1b[31mred`);
});

it("issue 20 item 13: a table cell is one line; an outside string is escaped wherever a sentence holds it", () => {
  const green = styleText("green", "*", { validateStream: false });
  expect(escapeCell(`${green} a\nb\tc\r\u2028d`)).toBe(`${green} a\\x0ab\\x09c\\x0d\\u2028d`);
  const file = "out\nFAKE line";
  expect(escapeValuesIn(`Wrote ${file} (1 reference).\nNext line.`, ["plain", file])).toBe(
    "Wrote out\\x0aFAKE line (1 reference).\nNext line.",
  );
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u202e]/;

it("issue 20 item 13 property: whatever the value strings, the only raw line breaks left are ours (seeded)", () => {
  const seed = propertySeed("escape property test", 0x13e5c);
  const random = seededRandom(seed);
  const alphabet = [
    "a",
    "b",
    " ",
    "\n",
    "\r",
    "\t",
    "\u001b",
    "[",
    "m",
    "\u0085",
    "\u2028",
    "\u202e",
    "é",
    "😀",
  ];
  const word = () =>
    Array.from(
      { length: 1 + Math.floor(random() * 12) },
      () => alphabet[Math.floor(random() * alphabet.length)],
    ).join("");
  for (let round = 0; round < 500; round++) {
    const values = [word(), word(), word()];
    const text = values.map((v, i) => `line ${i}: ${v}`).join("\n");
    const out = escapeBlock(escapeValuesIn(text, values), false);
    // Never a line of its own: at most our three lines (a value equal to a stretch of our text may join two).
    const lines = out.split("\n");
    expect(lines.length, `seed ${seed} round ${round}`).toBeLessThanOrEqual(3);
    for (const line of lines) expect(line.startsWith("line "), `seed ${seed} round ${round}`).toBe(true);
    expect(RAW.test(out), `seed ${seed} round ${round}: ${JSON.stringify(out)}`).toBe(false);
  }
});
