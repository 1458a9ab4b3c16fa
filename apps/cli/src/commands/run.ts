import { spawn } from "node:child_process";
import { constants } from "node:os";
import { childEnvironment } from "@apikey/core/child-env";
import type { Command } from "commander";
import type { Context } from "../context.ts";
import { UsageError } from "../io/errors.ts";
import { isShell, SHELLS, setVariableLine } from "../io/shell-quote.ts";
import type { Action } from "../program.ts";

// The three commands that print or pass on the secret itself, by design.

export function registerRunCommands(program: Command, action: Action): void {
  program
    .command("current")
    .description("print the active key and a newline, nothing else (for Claude Code's apiKeyHelper)")
    .action(
      action(async (ctx) => {
        const { secret } = await activeSecret(ctx);
        process.stdout.write(`${secret}\n`);
      }),
    );

  program
    .command("env")
    .description("print `export ANTHROPIC_API_KEY=…` for eval")
    .option("--shell <shell>", "sh (bash, zsh), fish or powershell", "sh")
    .action(
      action(async (ctx, opts: { shell: string }) => {
        const shell = opts.shell;
        if (!isShell(shell)) throw new UsageError("Unknown shell for --shell.", `Use ${SHELLS.join(", ")}.`);
        const { secret } = await activeSecret(ctx);
        process.stdout.write(`${setVariableLine(shell, "ANTHROPIC_API_KEY", secret)}\n`);
      }),
    );

  program
    .command("exec")
    .description("run a command with ANTHROPIC_API_KEY set to the active key: apikey exec -- CMD [ARGS…]")
    .argument("<command>", "the program to run")
    .argument("[args...]", "its arguments")
    .action(
      action(async (ctx, command: string, args: string[]) => {
        const { secret } = await activeSecret(ctx);
        await ctx.close();
        // The child gets the active key and nothing that unlocks the store.
        return runChild(command, args, childEnvironment(process.env, secret));
      }),
    );
}

function runChild(command: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    // Forward the usual termination signals so Ctrl-C reaches the child, not just us.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, forward);
    child.on("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "ENOENT"
          ? new UsageError(`Command not found: ${command}`, "Check the spelling or your PATH.")
          : err,
      ),
    );
    child.on("exit", (code, signal) => {
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1));
    });
  });
}

/** The active key, refreshing an OAuth token first when it is about to expire (OAuth code loads only then). */
async function activeSecret(ctx: Context): Promise<{ secret: string }> {
  return (await ctx.app()).active(ctx.profile);
}
