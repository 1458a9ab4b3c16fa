// What tests/bench/raycast-list.mjs drives: the real command and action handlers over the mock Raycast, bundled
// by the benchmark with esbuild (the same alias as the tests) so it runs on plain Node 22.
export { createElement } from "react";
export { loadConfig, storeFileIn } from "../vendor/core/index.ts";
export { openApikey } from "../vendor/core/index.ts";
export { masterKeySource } from "../vendor/core/index.ts";
export { openStore } from "../vendor/storage/node-sqlite.ts";
export { default as SwitchApiKey } from "../src/switch-api-key.tsx";
export { loadSnapshot, switchToKey } from "../src/data/actions.ts";
export { recorded, resetMock } from "./mock/raycast-api.tsx";
export { render } from "./render.tsx";

import type { ReactElement } from "react";
import TestRenderer from "react-test-renderer";
import { NavigationContext, commitCounts } from "./mock/raycast-api.tsx";

/**
 * Renders without act(), so React's production build can run it the way Raycast's runtime does (work scheduled,
 * then flushed); `count(type)` reads the host tree. The tests use `render` (act, development build) instead.
 */
export function mountForBench(element: ReactElement) {
  const nav = { push: () => {}, pop: () => {} };
  const renderer = TestRenderer.create(<NavigationContext.Provider value={nav}>{element}</NavigationContext.Provider>);
  let seen = -1;
  let last = 0;
  return {
    /** The number of `type` elements on screen; walks the tree only after a commit. */
    count(type: string): number {
      if (commitCounts[type] === seen) return last;
      seen = commitCounts[type] ?? 0;
      last = this.walk(type);
      return last;
    },
    walk(type: string): number {
      try {
        return renderer.root.findAll((n) => n.type === type).length;
      } catch {
        return 0; // nothing committed yet
      }
    },
    unmount: () => renderer.unmount(),
  };
}
