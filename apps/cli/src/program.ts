import { holdsKeyLikeText, redactKeyLike } from "@apikey/core";
import { ApikeyError, ERROR_CODES } from "@apikey/core/errors";
import type { IfMissing } from "@apikey/storage/better-sqlite3";
import { Command, CommanderError } from "commander";
import type { Action } from "./action.ts";
import { groupsFor } from "./command-groups.ts";
import { type Context, createContext, type GlobalOptions } from "./context.ts";
import { setUpHelp } from "./help/setup.ts";
import { checkProfileArgument } from "./io/arguments.ts";
import { EXIT, renderError, UsageError } from "./io/errors.ts";
import { escapeControl } from "./io/escape.ts";
import { forgetUnlockingVariables } from "./io/forget-unlocking-env.ts";
import { createOutput } from "./io/output.ts";
import { versionJson, versionText } from "./version.ts";

// The program's own copy of the loader runs the library bundles (launch/libraries.ts): the entry asks it too.
export { remakeRejectedCaches } from "./launch/cached-script.ts";

export async function run(argv: string[]): Promise<void> {
  // Only our own flags count: whatever follows `--` belongs to the command `exec` runs.
  const dashDash = argv.indexOf("--");
  const ours = dashDash === -1 ? argv : argv.slice(0, dashDash);
  const jsonRequested = ours.includes("--json");
  if (ours.some(holdsKeyLikeText)) {
    // argv is visible to every process on the machine and lands in shell history: refuse, and never echo it.
    process.exitCode = renderError(
      new UsageError(
        "A key was passed as a command-line argument; apikey never reads keys from arguments.",
        'Paste it at the prompt or pipe it on stdin (printf %s "$KEY" | apikey add NAME). Consider rotating that key.',
      ),
      jsonRequested,
    );
    return;
  }
  try {
    const program = await createProgram(jsonRequested, argv);
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    process.exitCode = handle(err, jsonRequested);
  }
}

/**
 * The command tree: every command, or with `argv` only the file defining the command it names (command-groups.ts).
 * Nothing runs until it parses.
 */
export async function createProgram(jsonRequested: boolean, argv: readonly string[] = []): Promise<Command> {
  const program = new Command("apikey")
    .description("Keep your Anthropic API keys in one encrypted store; add, switch, validate and use them.")
    .option("-p, --profile <profile>", "the profile to act on", "default")
    .option(
      "--json",
      "JSON results on stdout and errors on stderr (exec and completion: errors only; their output is a program's or a script)",
    )
    .version(jsonRequested ? versionJson() : versionText())
    .exitOverride()
    // Every subcommand's help also lists --profile and --json (inherited: set before the commands are made).
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      // Usage errors become our JSON error shape under --json; either way nothing secret-shaped is echoed. The line
      // after it points at the command's own help (help/setup.ts).
      outputError: (text, write) => {
        if (!jsonRequested) write(`${escapeControl(redactKeyLike(text).replace(/\n$/, ""))}\n`);
      },
    });

  const action: Action =
    (body) =>
    async (...args) => {
      const globals = program.opts<GlobalOptions>();
      const out = createOutput({ json: globals.json === true, color: !("NO_COLOR" in process.env) });
      let ctx: Context | undefined;
      try {
        checkProfileArgument(globals.profile);
        ctx = createContext(globals, out, { ifMissing: ifMissing(args), server: isServer(args) });
        // Read into ctx.config now: what unlocks the store leaves this process's environment (issue 20 item 8).
        forgetUnlockingVariables();
        const code = await body(ctx, ...args);
        process.exitCode = typeof code === "number" ? code : EXIT.OK;
      } finally {
        await ctx?.close().catch(() => {});
      }
    };

  const registers = await Promise.all(groupsFor(argv).map((group) => group.load()));
  for (const register of registers) register(program, action);
  setUpHelp(program, { json: jsonRequested });
  return program;
}

function handle(err: unknown, json: boolean): number {
  if (err instanceof CommanderError) {
    if (
      err.code === "commander.helpDisplayed" ||
      err.code === "commander.version" ||
      err.code === "commander.help"
    ) {
      return EXIT.OK;
    }
    if (json)
      renderError(
        new ApikeyError(ERROR_CODES.USAGE, redactKeyLike(err.message.replace(/^error: /, ""))),
        true,
      );
    return EXIT.USAGE;
  }
  return renderError(err, json);
}

/** A command's full name below `apikey`, e.g. "oauth provider add". */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

// Where there is no store yet. The default is to create nothing and say so (E_NO_STORE): a new command is safe
// without being listed. Only what brings the first secret in may create the store: a key (add, import, scan
// --import, login), the OAuth provider a login needs first, or a profile to add keys into.
export const CREATES_STORE = new Set(["add", "import", "login", "oauth provider add", "profile create"]);
// Reads answer as an empty store, from memory, and create nothing.
export const READS_EMPTY = new Set([
  "list",
  "status",
  "audit",
  "usage",
  "usage check",
  "current",
  "env",
  "exec",
  "inject",
  "profile list",
  "slot list",
  "proxy token list",
  "oauth provider list",
]);

/** Commander passes the options and then the Command itself as the last two action arguments. */
function ifMissing(args: unknown[]): IfMissing {
  const cmd = args.at(-1);
  if (!(cmd instanceof Command)) return "refuse";
  const path = commandPath(cmd);
  const opts = cmd.opts<{ dryRun?: boolean; import?: boolean }>();
  if (path === "import" && opts.dryRun === true) return "empty";
  if (path === "scan") return opts.import === true ? "create" : "empty";
  if (CREATES_STORE.has(path)) return "create";
  return READS_EMPTY.has(path) ? "empty" : "refuse";
}

/** The commands that run until stopped: their store checkpoints in the background. */
function isServer(args: unknown[]): boolean {
  const cmd = args.at(-1);
  return cmd instanceof Command && commandPath(cmd) === "proxy";
}
