import { Command } from "commander";
import { describe, expect, it } from "vitest";
import type { Action } from "./action.ts";
import { COMMAND_GROUPS, groupsFor } from "./command-groups.ts";
import { createProgram } from "./program.ts";

// Issue 25: the program loads only the file of the command typed. The table's lists must say exactly what each
// file defines, or a command would be missing from the program that runs it.

const noAction: Action = () => async () => {};
const keys = COMMAND_GROUPS[0];

describe("issue 25: the command groups", () => {
  // Loading every command file through Vite's transform takes a while on a busy machine.
  it("issue 25: each group lists exactly the top-level commands (and aliases) its file defines", {
    timeout: 120_000,
  }, async () => {
    const registers = await Promise.all(COMMAND_GROUPS.map((group) => group.load()));
    COMMAND_GROUPS.forEach((group, i) => {
      const program = new Command("apikey");
      registers[i]?.(program, noAction);
      const defined = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
      expect([...defined].sort()).toEqual([...group.commands].sort());
    });
  });

  it("issue 25: no command is claimed by two groups", () => {
    const all = COMMAND_GROUPS.flatMap((g) => g.commands);
    expect(new Set(all).size).toBe(all.length);
  });

  it("issue 25: the whole program, in the order --help lists it, is every group's commands plus help", async () => {
    const program = await createProgram(false);
    const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
    expect(names).toEqual([...COMMAND_GROUPS.flatMap((g) => g.commands), "help"]);
  });

  it.each([
    [["list"]],
    [["ls"]],
    [["--json", "list"]],
    [["-p", "team", "list"]],
    [["--profile", "team", "--json", "show", "x"]],
    [["--profile=team", "rm", "x"]],
    [["-pteam", "add", "x"]],
  ])("issue 25: %j loads the keys file alone", (argv) => {
    expect(groupsFor(argv)).toEqual([keys]);
  });

  it.each([
    [[]],
    [["--help"]],
    [["-h"]],
    [["help", "list"]],
    [["completion", "bash"]],
    [["lst"]],
    [["--bogus", "list"]],
    [["-p"]],
  ])("issue 25: %j loads every file (help, completion, or a word no file claims)", (argv) => {
    expect(groupsFor(argv)).toBe(COMMAND_GROUPS);
  });

  it("issue 25: --version loads none, and --profile's value is never taken for the command", () => {
    expect(groupsFor(["--version"])).toEqual([]);
    expect(groupsFor(["-V"])).toEqual([]);
    expect(groupsFor(["-p", "status", "list"])).toEqual([keys]);
    expect(groupsFor(["--profile", "list", "status"]).map((g) => g.commands[0])).toEqual(["status"]);
  });
});
