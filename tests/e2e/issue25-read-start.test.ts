import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_PATH } from "../fixtures/cli.ts";
import { loadedAtStart } from "../fixtures/structure/import-graph.ts";
import { ROOT, readWorkspace } from "../fixtures/structure/workspace-sources.ts";

// Issue 25, target 1: every read command (list, status, show, usage, profile list, proxy token list, audit, slot
// list) starts near a bare `node -e 0`. Module loading is the cost (DESIGN.md, "Performance notes"): the program
// loads, before it parses the command line, only what every command needs — commander, the commands' definitions,
// core's small modules. What only some commands use loads when they run: the store's driver (Drizzle, pg), the
// Anthropic SDK, the HTTP client, the OAuth library, zod (bundles, usage reports, the Admin API's answers) and the
// gateway's server. tests/bench/cli-start.mjs measures the time; this test keeps the cause from coming back.

const LOADED_WHEN_USED = ["zod", "oauth4webapi", "@anthropic-ai/sdk", "undici", "pg", "drizzle-orm"];

describe("issue 25: the program loads at start only what every command needs", () => {
  it("issue 25: program.ts's static imports reach no schema library, SDK, HTTP client, OAuth library or driver", () => {
    const { packages } = loadedAtStart(readWorkspace(), join(ROOT, "apps/cli/src/program.ts"));
    expect(packages.filter((p) => LOADED_WHEN_USED.some((l) => p === l || p.startsWith(`${l}/`)))).toEqual(
      [],
    );
  });

  it("issue 25: the built program and the chunks it imports statically are under 520 kB (914 kB before)", () => {
    const dist = dirname(CLI_PATH);
    const seen = new Set<string>();
    const queue = ["program.mjs"];
    let bytes = 0;
    while (queue.length > 0) {
      const file = queue.shift() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(join(dist, file), "utf8");
      bytes += Buffer.byteLength(text);
      // Static imports only (`import … from "./x"`, `export … from "./x"`); `import("./x")` loads when called.
      for (const m of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*"(\.\/[^"]+)"/gm)) {
        queue.push(join(dirname(file), m[1] as string));
      }
    }
    expect(seen.size).toBeGreaterThan(1);
    expect(bytes).toBeLessThan(520 * 1024);
  });
});
