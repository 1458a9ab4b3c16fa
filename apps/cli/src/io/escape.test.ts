import { styleText } from "node:util";
import { expect, it } from "vitest";
import { escapeBlock, escapeControl } from "./escape.ts";

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
