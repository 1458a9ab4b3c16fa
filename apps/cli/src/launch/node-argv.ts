// Node reads some of its own options from a script's arguments, not only from its own: `--env-file` and
// `--env-file-if-exists` anywhere before a `--` (Node 20 and 22, nodejs/node#54232), `--experimental-config-file` and
// `--experimental-default-config-file` anywhere at all (Node 22). Such a file is applied before any of apikey's code
// runs, so a `.env` holding `NODE_OPTIONS=--require ./evil.cjs` would run code inside apikey while it holds the
// master key. Refusing here is too late for that: the launcher (the shell lines at the top of dist/apikey.cjs, see
// build.mjs) never hands Node a person's argument as given: it prefixes each with "+" and says so with LAUNCHED, so
// nothing a person types can be one of Node's options. This module undoes that and refuses the spellings Node reads,
// so a person learns the flag is `--dotenv`, and a run that did not come through the launcher stops.

/** The launcher's first argument: every argument after it is the person's, prefixed with "+". */
export const LAUNCHED = "apikey:args-prefixed";

/** Arguments Node itself may read as a file to apply to its own process (see above), longest first. */
const NODE_READS =
  /^--(?:env-file-if-exists|env-file|experimental-config-file)(?:=|$)|^--experimental-default-config-file/;

/** The Node option an argument is, as Node 20/22 match them (exact bytes; the last one by prefix alone), or null. */
export function nodeReadsArgument(arg: string): string | null {
  const m = NODE_READS.exec(arg);
  return m === null ? null : m[0].replace(/=$/, "");
}

export type LaunchedArgv = { ok: true; argv: string[] } | { ok: false; message: string; hint: string };

/** The person's arguments from process.argv.slice(2), or why apikey must not go on. */
export function launchedArgv(raw: readonly string[]): LaunchedArgv {
  const viaLauncher = raw[0] === LAUNCHED;
  const argv = viaLauncher ? raw.slice(1).map((a) => a.slice(1)) : [...raw];
  if (viaLauncher && raw.slice(1).some((a) => !a.startsWith("+"))) {
    return { ok: false, message: "The launcher's arguments are malformed.", hint: "Run apikey again." };
  }
  // Only apikey's own arguments: after `--`, an argument belongs to the command `exec` runs, and the launcher kept
  // Node from reading it. Run without the launcher, Node may already have read any of them: refuse them all.
  const dashDash = argv.indexOf("--");
  const ours = viaLauncher && dashDash !== -1 ? argv.slice(0, dashDash) : argv;
  const flag = ours.map(nodeReadsArgument).find((f) => f !== null);
  if (flag === undefined || flag === null) return { ok: true, argv };
  if (!viaLauncher) {
    return {
      ok: false,
      message: `Node itself reads an argument named ${flag}, before apikey starts; apikey refuses to go on.`,
      hint: "Run apikey through its command (`apikey …`, or `pnpm apikey …`), never as `node apikey.cjs …`; for exec, pass a .env file with --dotenv.",
    };
  }
  return {
    ok: false,
    message: `apikey has no option ${flag}; Node reads options of that name itself.`,
    hint: "To give exec's command variables from a file, use --dotenv FILE.",
  };
}
