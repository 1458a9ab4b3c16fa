import { describe, expect, it } from "vitest";
import { buildGraph, findCycles, type Graph } from "../fixtures/structure/import-graph.ts";
import { ROOT, readWorkspace } from "../fixtures/structure/workspace-sources.ts";

// Issue 21, "No import cycles": two modules that import each other — at run time, by a type, or through a
// dynamic import() that only defers the load — are one unit that cannot be read, tested or moved alone. The graph
// covers every package's and app's src/ (apps/raycast/vendor/ aside: a generated copy of core and storage) and
// follows @apikey/* imports through each package's `exports`.

describe("issue 21: no import cycles", () => {
  const ws = readWorkspace();
  const graph = buildGraph(ws);

  it("the graph sees every kind of import (a guard that sees nothing cannot fail)", () => {
    const edges = (from: string) => graph.get(`${ROOT}${from}`)?.map((f) => f.slice(ROOT.length)) ?? [];
    expect(ws.files.length).toBeGreaterThan(300);
    // A static import, through a package's exports map.
    expect(edges("apps/cli/src/hot/current.ts")).toContain("packages/core/src/hot.ts");
    // `export … from`.
    expect(edges("packages/core/src/hot.ts")).toContain("packages/core/src/active/usable.ts");
    // A type-only import.
    expect(edges("apps/cli/src/commands/run.ts")).toContain("apps/cli/src/action.ts");
    // A dynamic import().
    expect(edges("packages/core/src/active/active-key.ts")).toContain("packages/core/src/oauth/refresh.ts");
  });

  it("finds a cycle when there is one, and names its modules in order", () => {
    const g: Graph = new Map([
      ["/a.ts", ["/b.ts"]],
      ["/b.ts", ["/c.ts"]],
      ["/c.ts", ["/a.ts", "/d.ts"]],
      ["/d.ts", []],
    ]);
    expect(findCycles(g)).toHaveLength(1);
    expect(findCycles(g)[0]).toHaveLength(4);
    expect(findCycles(new Map([["/d.ts", []]]))).toEqual([]);
  });

  it("no module of any package or app reaches itself through its imports", () => {
    const cycles = findCycles(graph).map((c) => c.join(" → "));
    expect(cycles, `import cycles:\n${cycles.join("\n")}`).toEqual([]);
  });
});
