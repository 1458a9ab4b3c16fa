import { stripVTControlCharacters, styleText } from "node:util";
import { expect, it } from "vitest";
import { table } from "./output.ts";

it("aligns columns by what the terminal shows, not by colour codes", () => {
  // validateStream: false forces the codes even when the test runs without a terminal.
  const coloured = styleText("green", "*", { validateStream: false });
  expect(coloured).not.toBe("*");
  const lines = table(
    ["", "NAME", "KEY"],
    [
      [coloured, "work", "a"],
      ["", "personal", "b"],
    ],
  ).split("\n");
  const plain = lines.map((l) => stripVTControlCharacters(l));
  expect(plain[1]?.indexOf("a")).toBe(plain[2]?.indexOf("b"));
  expect(plain[0]?.indexOf("KEY")).toBe(plain[1]?.indexOf("a"));
});
