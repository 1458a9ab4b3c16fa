import { describe, expect, it } from "vitest";
import { createProgram } from "../program.ts";
import { EXAMPLES } from "./examples.ts";
import { allCommands, pathOf } from "./setup.ts";

// Issue 23 item 7: every command's --help ends with examples. Kept true here: a command without examples, or an
// example for a command that no longer exists, fails.

const program = await createProgram(false);
const visible = [...allCommands(program)].filter((c) => !(c as unknown as { _hidden: boolean })._hidden);

describe("issue 23 item 7: examples in every command's help", () => {
  it("every visible command has examples, each an `apikey` command line of that command", () => {
    for (const cmd of visible) {
      const path = pathOf(cmd);
      const examples = EXAMPLES[path];
      expect(examples, `examples for "apikey ${path}"`).toBeDefined();
      expect(examples?.some((e) => /apikey/.test(e) && e.includes(path))).toBe(true);
    }
  });

  it("every example names a real command", () => {
    const paths = new Set(visible.map(pathOf));
    for (const path of Object.keys(EXAMPLES)) expect(paths, path).toContain(path);
  });

  it("examples print after the options in --help", () => {
    let text = "";
    const add = visible.find((c) => pathOf(c) === "add");
    add?.configureOutput({ writeOut: (s) => (text += s) });
    add?.outputHelp();
    expect(text).toMatch(/Options:[\s\S]*Global Options:[\s\S]*Examples:\n {2}apikey add work/);
  });
});
