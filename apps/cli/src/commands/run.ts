import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import { childEnvironment, customHeadersValue, type KeyVariables, type KeyView, maskKey } from "@apikey/core";
import { ApikeyError, ERROR_CODES } from "@apikey/core/errors";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import type { Context } from "../context.ts";
import { UsageError } from "../io/errors.ts";
import { type Concealment, createMaskStream, type MaskStream } from "../io/mask-stream.ts";
import { parseShell, SHELL_CHOICES, setVariableLine, unsetVariableLine } from "../io/shell-quote.ts";
import { resolveChildEnvironment } from "./exec-env.ts";
import { startIdentityTokenFile } from "./exec-identity-file.ts";

// The three commands that print or pass on the secret itself, by design.

/** Where a federated key's workload identity token comes from: the shell's own, never printed or removed by `env`. */
const IDENTITY_TOKEN_VARIABLES = new Set(["ANTHROPIC_IDENTITY_TOKEN", "ANTHROPIC_IDENTITY_TOKEN_FILE"]);

export function registerRunCommands(program: Command, action: Action): void {
  program
    .command("current")
    .description(
      "print the active key and a newline, nothing else (for Claude Code's apiKeyHelper); --json: {profile, name, kind, key}",
    )
    .action(
      action(async (ctx) => {
        const { key, secret } = await activeSecret(ctx);
        // Only the full program reads --json: the hot path (main.ts) takes argv that is exactly `current`.
        if (ctx.out.json)
          ctx.out.result({ profile: key.profile, name: key.name, kind: key.kind, key: secret }, () => "");
        else process.stdout.write(`${secret}\n`);
      }),
    );

  program
    .command("env")
    .description(
      'print `export ANTHROPIC_API_KEY=…` for eval (an OAuth token: ANTHROPIC_AUTH_TOKEN and its beta header), and unset the other of the two; --json: {"ANTHROPIC_API_KEY": …}',
    )
    .option(
      "--shell <shell>",
      "sh, bash, zsh (all sh syntax), fish or powershell (pwsh); a path works too",
      "sh",
    )
    .action(
      action(async (ctx, opts: { shell: string }) => {
        const shell = parseShell(opts.shell);
        if (shell === null)
          throw new UsageError("Unknown shell for --shell.", `Use one of ${SHELL_CHOICES.join(", ")}.`);
        const { variables } = await activeSecret(ctx);
        // Core's variables for the key (child-env.ts): ANTHROPIC_API_KEY, an OAuth token's ANTHROPIC_AUTH_TOKEN, or
        // a federated key's SDK variables (the SDK mints and renews), never a minted token; an identity token held
        // in a variable is not printed — the shell has it already.
        const vars: Record<string, string> = { ...variables.set };
        // An OAuth token's beta and workspace headers, kept beside the shell's own custom headers.
        if (variables.headers)
          vars.ANTHROPIC_CUSTOM_HEADERS = customHeadersValue(
            process.env.ANTHROPIC_CUSTOM_HEADERS,
            variables.headers,
          );
        if ("ANTHROPIC_IDENTITY_TOKEN" in vars) {
          delete vars.ANTHROPIC_IDENTITY_TOKEN;
          ctx.out.note("Also set ANTHROPIC_IDENTITY_TOKEN to the workload's identity token (not printed).");
        } else if (variables.identityToken)
          // A command's or GitHub's token: a shell cannot renew it; `apikey exec` keeps a renewed file for its child.
          ctx.out.note(
            "Also set ANTHROPIC_IDENTITY_TOKEN_FILE to a file holding the workload's identity token, or run the program under `apikey exec`, which renews one.",
          );
        // --json: the variables as an object (for a program to set), whatever --shell says.
        if (ctx.out.json) ctx.out.result(vars, () => "");
        else {
          for (const [name, value] of Object.entries(vars))
            process.stdout.write(`${setVariableLine(shell, name, value)}\n`);
          // What the key replaces (core's `drop`): an API key's shell keeps no ANTHROPIC_AUTH_TOKEN from an OAuth key
          // used before, and the other way round; the SDK and Claude Code would send or prefer the stale one.
          // The workload's identity token stays: the shell holds it (see the notes above).
          for (const name of variables.drop)
            if (!(name in variables.set) && !IDENTITY_TOKEN_VARIABLES.has(name))
              process.stdout.write(`${unsetVariableLine(shell, name)}\n`);
        }
      }),
    );

  program
    .command("exec")
    .description(
      "run a command with ANTHROPIC_API_KEY set to the active key (an OAuth token: ANTHROPIC_AUTH_TOKEN) and every apikey:// reference resolved: apikey exec [--dotenv .env] -- CMD [ARGS…]; its output is the command's (--json: apikey's own errors only)",
    )
    // Not `--env-file`: Node itself reads an argument of that name, before apikey runs (src/launch/node-argv.ts).
    .option("--dotenv <file>", "read variables from a .env file (dotenv syntax); the environment wins")
    .option("--no-masking", "do not conceal secrets in the command's output (its stdio is then inherited)")
    .argument("<command>", "the program to run")
    .argument("[args...]", "its arguments")
    .action(action(execCommand));
}

/** `apikey exec`: the child, with its keys (and a renewed identity token file when the key needs one). */
async function execCommand(
  ctx: Context,
  command: string,
  args: string[],
  opts: { dotenv?: string; masking: boolean },
): Promise<number> {
  const app = await ctx.app();
  const plan = await resolveChildEnvironment(app, process.env, ctx.profile, opts.dotenv);
  await ctx.close();
  // The child gets its keys and nothing that unlocks the store (childEnvironment drops those).
  const env = childEnvironment(plan.env, plan.keyVariables);
  const masks: MaskStream[] = [];
  const { identityToken } = plan.keyVariables;
  const file =
    identityToken &&
    startIdentityTokenFile(identityToken, {
      warn: (text) => ctx.out.warn(text),
      renewed: (secret) => {
        for (const mask of masks) mask.conceal({ secret, hint: maskKey(secret) });
      },
    });
  if (file) env.ANTHROPIC_IDENTITY_TOKEN_FILE = file.path;
  try {
    if (!opts.masking) return await runChild(command, args, env, null, masks);
    // A piped child sees no terminal: ask it for colour when ours is one (see docs/guides/everyday.md, "Masked output").
    if (process.stdout.isTTY && env.NO_COLOR === undefined && env.FORCE_COLOR === undefined)
      env.FORCE_COLOR = "1";
    return await runChild(command, args, env, plan.secrets, masks);
  } finally {
    file?.close();
  }
}

function runChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  secrets: readonly string[] | null,
  /** Filled with the masks on the child's output, so a renewed identity token is concealed too. */
  masks: MaskStream[],
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: secrets ? ["inherit", "pipe", "pipe"] : "inherit", env });
    // Forward the usual termination signals so Ctrl-C reaches the child, not just us.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, forward);
    const pending: Array<Promise<void>> = [];
    if (secrets && child.stdout && child.stderr) {
      const concealments = secrets.map((secret) => ({ secret, hint: maskKey(secret) }));
      pending.push(pipeMasked(child.stdout, process.stdout, concealments, masks));
      pending.push(pipeMasked(child.stderr, process.stderr, concealments, masks));
    }
    child.on("error", (err: NodeJS.ErrnoException) => reject(startFailure(command, err)));
    child.on("exit", (code, signal) => {
      const status = code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1);
      // Everything the child wrote is out (masked) before we exit with its status.
      Promise.all(pending).then(() => resolve(status), reject);
    });
  });
}

/** A command that did not start, with the status a shell gives it: 127 not found, 126 found but not runnable. */
function startFailure(command: string, err: NodeJS.ErrnoException): unknown {
  if (err.code === "ENOENT")
    return new ApikeyError(ERROR_CODES.COMMAND_NOT_FOUND, `Command not found: ${command}`, {
      hint: "Check the spelling or your PATH.",
      details: { command },
    });
  if (err.code === "EACCES" || err.code === "ENOEXEC" || err.code === "EISDIR" || err.code === "EPERM")
    return new ApikeyError(
      ERROR_CODES.COMMAND_NOT_EXECUTABLE,
      `Cannot run ${command}: it is not an executable program.`,
      {
        hint: "Check that it is a program and that its execute permission is set (chmod +x).",
        details: { command },
      },
    );
  return err;
}

/** Copies a child's stream to ours through the mask; resolves when all of it is written. */
function pipeMasked(
  from: NodeJS.ReadableStream,
  to: NodeJS.WritableStream,
  concealments: readonly Concealment[],
  masks: MaskStream[],
): Promise<void> {
  return new Promise((resolve) => {
    const mask = createMaskStream(concealments);
    masks.push(mask);
    from.pipe(mask).pipe(to, { end: false });
    mask.on("end", () => resolve());
    // Our own stdout closed (e.g. `| head`): close the child's end too, so it gets EPIPE/SIGPIPE on its next write as
    // it would writing to the closed pipe itself, instead of blocking on a pipe nobody reads.
    to.on("error", () => {
      (from as Readable).destroy();
      resolve();
    });
  });
}

/** The active key, refreshing an OAuth token first when it is about to expire (OAuth code loads only then). */
async function activeSecret(ctx: Context): Promise<{
  key: KeyView;
  secret: string;
  variables: KeyVariables;
}> {
  return (await ctx.app()).active(ctx.profile);
}
