import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";
import { ROOT, walkFiles } from "./walk.ts";

// Fronts bundle core and storage into an ES module, and a common esbuild banner for that gives the bundle a CommonJS
// `require` (README's example front, tests/e2e/fronts.test.ts): `import { createRequire } from 'node:module'; const
// require = createRequire(import.meta.url);`. The banner is text esbuild does not read, so a module of ours that
// binds either name at its top level — an import of createRequire by that name, a top-level `require` — makes the
// bundle a SyntaxError ("Identifier 'createRequire' has already been declared"). Aliased imports are fine.

const SHIPPED = ["packages/core/src", "packages/storage/src", "packages/keychain/src"];
const BANNER_NAMES = ["createRequire", "require"];

/** The names a file binds at its top level that a front's banner also declares. */
function bannerNamesBound(source: string): string[] {
  const text = source.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "");
  const found = new Set<string>();
  // import { a, createRequire, b as c } from "…": a specifier without `as`, or `x as createRequire`.
  for (const m of text.matchAll(/import\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*from/g)) {
    if (/^\s*import\s+type\b/.test(m[0])) continue;
    for (const spec of (m[1] ?? "").split(",")) {
      const parts = spec
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/);
      const local = (parts[1] ?? parts[0] ?? "").trim();
      if (BANNER_NAMES.includes(local) && !/^type\s/.test(spec.trim())) found.add(local);
    }
  }
  // import createRequire from "…", import * as require from "…"
  for (const m of text.matchAll(/import\s+(?:\*\s+as\s+)?([\w$]+)\s*(?:,|from)/g))
    if (BANNER_NAMES.includes(m[1] ?? "")) found.add(m[1] ?? "");
  // A top-level declaration (no indentation): const/let/var/function/class NAME.
  for (const m of text.matchAll(/^(?:export\s+)?(?:const|let|var|function|class)\s+([\w$]+)/gm))
    if (BANNER_NAMES.includes(m[1] ?? "")) found.add(m[1] ?? "");
  return [...found];
}

it("the spellings it looks for", () => {
  expect(bannerNamesBound('import { createRequire } from "node:module";')).toEqual(["createRequire"]);
  expect(bannerNamesBound('import {readFileSync,createRequire} from "module";')).toEqual(["createRequire"]);
  expect(bannerNamesBound('import { x as createRequire } from "node:module";')).toEqual(["createRequire"]);
  expect(bannerNamesBound('import m, { createRequire } from "node:module";')).toEqual(["createRequire"]);
  expect(bannerNamesBound("const require = createRequire(import.meta.url);")).toEqual(["require"]);
  expect(bannerNamesBound('import { createRequire as requireFrom } from "node:module";')).toEqual([]);
  expect(bannerNamesBound('import type { createRequire } from "node:module";')).toEqual([]);
  expect(bannerNamesBound("  const require = 1; // inside a function")).toEqual([]);
  expect(bannerNamesBound('// import { createRequire } from "node:module";')).toEqual([]);
});

it("no shipped module of core, storage or the keychain binds a name a front's ES-module banner declares", () => {
  const offenders = SHIPPED.flatMap((dir) =>
    walkFiles(join(ROOT, dir), { skipDirs: ["testing"], include: /\.ts$/, exclude: /\.test\.ts$/ }).flatMap(
      (file) =>
        bannerNamesBound(readFileSync(file, "utf8")).map((name) => `${relative(ROOT, file)}: ${name}`),
    ),
  );
  expect(offenders).toEqual([]);
});
