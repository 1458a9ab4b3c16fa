import { join } from "node:path";
import { expect, it } from "vitest";
import { loadedAtStart } from "../fixtures/structure/import-graph.ts";
import { ROOT, readWorkspace } from "../fixtures/structure/workspace-sources.ts";

// Issue 21: the hot path of `apikey current` now shares core's rule and unlock order with the full path. Sharing
// must not cost its start-up (DESIGN.md, "Performance notes": module loading is the cost): everything it loads
// before running is node built-ins, better-sqlite3 and small core/storage modules — no Commander, Drizzle, zod,
// SDK, OAuth library or the program itself. The keychain is imported lazily, only for a keychain slot.

it("issue 21: the hot path loads only node built-ins, better-sqlite3 and lean core/storage modules", () => {
  const { files, packages } = loadedAtStart(readWorkspace(), join(ROOT, "apps/cli/src/hot/current.ts"));
  expect(packages.filter((p) => !p.startsWith("node:"))).toEqual(["better-sqlite3"]);
  expect(files.filter((f) => !/^(packages\/(core|storage)\/src|apps\/cli\/src\/hot)\//.test(f))).toEqual([]);
  // Core's shared pieces are reached, not copied: the rule and the unlock order.
  expect(files).toContain("packages/core/src/active/usable.ts");
  expect(files).toContain("packages/core/src/master-key/unlock-order.ts");
  expect(files.length).toBeLessThanOrEqual(20);
});
