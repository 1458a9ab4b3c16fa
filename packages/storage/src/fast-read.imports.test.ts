import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

// `apikey current` must start fast, and module loading is the cost: fast-read may load only node built-ins,
// better-sqlite3, where its addon is, and the one-line migrations marker. Type imports are erased.
it("fast-read loads nothing heavy", () => {
  const runtimeImports = (name: string) =>
    [
      ...readFileSync(new URL(name, import.meta.url), "utf8").matchAll(
        /^import\s+(?!type\s)[^;]*?from\s+"([^"]+)"/gms,
      ),
    ].map((m) => m[1]);
  expect(runtimeImports("./fast-read.ts")).toEqual([
    "node:fs",
    "better-sqlite3",
    "./drivers/addon.ts",
    "./migrations.latest.ts",
    "./store-safety.ts",
  ]);
  // Where better-sqlite3's addon is: node built-ins only.
  expect(runtimeImports("./drivers/addon.ts")).toEqual(["node:fs", "node:module", "node:path", "node:url"]);
  // The StrictModes check: node built-ins and core's two import-free modules.
  expect(runtimeImports("./store-safety.ts")).toEqual([
    "node:fs",
    "node:path",
    "@apikey/core/errors",
    "@apikey/core/paths",
  ]);
  expect(runtimeImports("./migrations.latest.ts")).toEqual([]);
});
