// Entry point, bundled as CommonJS on purpose: CommonJS skips the ES module loader's start-up, and a CommonJS bundle
// can run with V8's code cache (src/launch/cached-script.ts). `apikey current` is called by Claude Code's
// apiKeyHelper and by shells many times a day: its hot path (dist/hot.cjs) loads only SQLite's addon and node:crypto.
// Every other command runs the full program (dist/program.cjs), whose modules initialise when first imported.

import { join } from "node:path";
import { loadCachedScript, remakeRejectedCaches } from "./launch/cached-script.ts";
import { launchedArgv } from "./launch/node-argv.ts";

async function main(): Promise<void> {
  const launched = launchedArgv(process.argv.slice(2));
  if (!launched.ok) {
    // Before anything else: nothing of the program is loaded, no store opened. (Plain text: --json is for errors
    // the program renders; this one can come before there is a program.)
    process.stderr.write(`apikey: ${launched.message}\n  ${launched.hint}\n`);
    process.exitCode = 2;
    return;
  }
  const argv = launched.argv;
  const profile = hotPathProfile(argv);
  if (profile !== null) {
    const { tryPrintCurrent } = loadCachedScript<typeof import("./hot/current.ts")>(
      join(__dirname, "hot.cjs"),
    );
    if (await tryPrintCurrent(profile, process.env)) {
      remakeRejectedCaches();
      return;
    }
  }
  // Loaded at run time next to this file, so the bundler leaves the full program in its own bundle.
  const program = loadCachedScript<typeof import("./program.ts")>(join(__dirname, "program.cjs"));
  await program.run(argv);
  remakeRejectedCaches();
  program.remakeRejectedCaches();
}

/** The profile when argv is exactly `[--profile P] current`, else null. */
function hotPathProfile(args: string[]): string | null {
  if (args.length === 1 && args[0] === "current") return "default";
  if (args.length === 3 && args[2] === "current" && (args[0] === "--profile" || args[0] === "-p")) {
    return args[1] ?? null;
  }
  if (args.length === 2 && args[1] === "current" && args[0]?.startsWith("--profile=")) {
    return args[0].slice("--profile=".length) || null;
  }
  return null;
}

main().catch((err: unknown) => {
  // Only reached when the program bundle itself fails to load; it renders all other errors.
  process.stderr.write(`apikey: could not start (${(err as Error)?.message ?? "unknown error"}).\n`);
  process.exitCode = 1;
});
