import { join } from "node:path";
import { loadCachedScript } from "./cached-script.ts";

// Third-party libraries that only some commands use live in bundles of their own beside the program
// (dist/lib/<name>.cjs, build.mjs's LIBRARIES), each run with its own code cache: a command that does not use one
// never reads it. The program's `import("@anthropic-ai/sdk")` becomes a call here (build.mjs, librariesApart).

const loaded = new Map<string, Record<string, unknown>>();

/** The exports of `specifier` from the library bundle `name`, which runs once per process. */
export function libraryExports(name: string, specifier: string): unknown {
  let bundle = loaded.get(name);
  if (bundle === undefined) {
    // __dirname: the program bundle's folder (the loader runs it with CommonJS's five names).
    bundle = loadCachedScript<Record<string, unknown>>(join(__dirname, "lib", `${name}.cjs`));
    loaded.set(name, bundle);
  }
  const found = bundle[specifier];
  if (found === undefined) throw new Error(`${specifier} is not in dist/lib/${name}.cjs`);
  return found;
}
