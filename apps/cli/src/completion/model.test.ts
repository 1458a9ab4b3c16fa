import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { programDefinition } from "../docs/program-definition.ts";
import { ARGUMENT_KINDS, completionModel, OPTION_KINDS } from "./model.ts";

// The tables of what arguments name must follow the program: a renamed command or option fails here, not silently
// in someone's shell. The program is the real one, captured as `apikey` builds it.
const realProgram = programDefinition;

describe("completion model", () => {
  it("names only commands and arguments the program has", async () => {
    const program = await realProgram();
    const nodes = completionModel(program);
    const find = (path: string) => {
      let cmd: Command | undefined = program;
      for (const name of path.split(" ")) cmd = cmd?.commands.find((c) => c.name() === name);
      return cmd;
    };
    for (const [path, kinds] of Object.entries(ARGUMENT_KINDS)) {
      const cmd = find(path);
      expect(cmd, path).toBeDefined();
      expect(cmd?.registeredArguments.length, path).toBeGreaterThanOrEqual(kinds.length);
      expect(nodes.find((n) => n.path.join(" ") === path)?.args).toEqual(kinds);
    }
    const flags = new Set(nodes.flatMap((n) => n.options.flatMap((o) => o.flags)));
    for (const flag of Object.keys(OPTION_KINDS)) expect(flags, flag).toContain(flag);
  });

  it("leaves hidden commands out", async () => {
    const nodes = completionModel(await realProgram());
    const root = nodes.find((n) => n.path.length === 0);
    expect(root?.subcommands.map((s) => s.name)).toContain("completion");
    expect(root?.subcommands.map((s) => s.name)).not.toContain("__complete");
  });
});
