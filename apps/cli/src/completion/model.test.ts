import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { ARGUMENT_KINDS, completionModel, OPTION_KINDS } from "./model.ts";

// The tables of what arguments name must follow the program: a renamed command or option fails here, not silently
// in someone's shell. The program is the real one, captured from `apikey completion bash`.
async function realProgram(): Promise<Command> {
  const { run } = await import("../program.ts");
  let captured: Command | undefined;
  const parse = Command.prototype.parseAsync;
  Command.prototype.parseAsync = async function (this: Command) {
    captured = this;
    return this;
  };
  try {
    await run(["--help"]);
  } finally {
    Command.prototype.parseAsync = parse;
  }
  if (!captured) throw new Error("run() built no program");
  return captured;
}

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
