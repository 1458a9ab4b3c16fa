import { Command } from "commander";

// The real program as `apikey` builds it, without running anything: run() builds the commander tree and then
// parses; parsing is intercepted, so the tree is returned as defined (the completion model test does the same).
export async function programDefinition(): Promise<Command> {
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
