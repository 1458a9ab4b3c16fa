// Entry point. `apikey current` is called by Claude Code's apiKeyHelper and by shells many times a day, so
// it gets a lean path that loads only SQLite and node:crypto; everything else loads the full program.

const argv = process.argv.slice(2);

async function main(): Promise<void> {
  const profile = hotPathProfile(argv);
  if (profile !== null) {
    const { tryPrintCurrent } = await import("./hot/current.ts");
    if (await tryPrintCurrent(profile, process.env)) return;
  }
  const { run } = await import("./program.ts");
  await run(argv);
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

await main();
