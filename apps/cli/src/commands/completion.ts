import { loadConfig } from "@apikey/core";
import { type NameKind, readNames } from "@apikey/storage/names";
import type { Command } from "commander";
import { bashScript } from "../completion/bash.ts";
import { fishScript } from "../completion/fish.ts";
import { completionModel } from "../completion/model.ts";
import { zshScript } from "../completion/zsh.ts";
import { UsageError } from "../io/errors.ts";

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;
const NAME_KINDS: readonly NameKind[] = ["keys", "profiles", "providers"];

/**
 * `apikey completion bash|zsh|fish` prints a completion script built from this program's commands and options;
 * the hidden `apikey __complete keys|profiles|providers` is what those scripts call for stored names. Neither
 * opens the store through the Vault: names are read without unlocking, and a missing store stays missing.
 */
export function registerCompletionCommands(program: Command): void {
  program
    .command("completion <shell>")
    .description(
      "print a completion script for bash, zsh or fish on stdout: source it, or save it where your shell loads completions (examples below); --json changes only errors",
    )
    .action((shell: string) => {
      const script = SCRIPTS[shell as keyof typeof SCRIPTS];
      if (!script) throw new UsageError(`Completion scripts exist for bash, zsh and fish, not "${shell}".`);
      process.stdout.write(script(completionModel(program)));
    });

  program.command("__complete <kind>", { hidden: true }).action((kind: string) => {
    if (!NAME_KINDS.includes(kind as NameKind)) return;
    let path: string;
    try {
      const { store } = loadConfig();
      // Names come from the SQLite file only: a PostgreSQL store is not connected to for a key press.
      if (store.kind !== "sqlite") return;
      path = store.path;
    } catch {
      // A broken environment variable: completion offers nothing; the real command will say what is wrong.
      return;
    }
    const names = readNames(path, kind as NameKind, program.opts<{ profile: string }>().profile);
    if (names.length > 0) process.stdout.write(`${names.join("\n")}\n`);
  });
}
