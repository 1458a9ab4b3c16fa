import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Issue 21, "one public entry to core": a front or app reaches the domain through @apikey/core's few public
// entries (package.json "exports"), never around them. This reads every source file of the apps, the gateway,
// the keychain package and storage, and fails on an import of a core or storage path that is not exported, on
// @apikey/core/testing in shipped source, on a relative import that leaves its package, and on Raycast reaching into
// its vendored copy of core or storage other than through a public entry's file.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCANNED = ["apps", "packages/gateway", "packages/keychain", "packages/storage"];
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
const SKIPPED_DIRS = new Set(["node_modules", "dist", "vendor", "metadata", "assets"]);

/** What core publishes, and why each is separate: the one list this test and the README describe. */
const CORE_PUBLIC = [
  ".", // openApikey, its types, the errors, the pure helpers a front renders and parses with
  "./errors", // import-free: storage and the lean paths
  "./paths", // import-free: where a store lives and which one (the hot path, storage)
  "./hot", // the `apikey current` hot path
  "./store", // the port storage implements
  "./testing", // tests only
  "./usage-journal", // the gateway's usage journal and its fold, off the program's static imports (issue 25)
];

const exportsOf = (pkg: string): string[] =>
  Object.keys(JSON.parse(readFileSync(join(ROOT, "packages", pkg, "package.json"), "utf8")).exports);

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) || e.name.startsWith(".") ? [] : sources(path);
    return SOURCE.test(e.name) && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Static imports and re-exports (type-only included), side-effect imports, import() and require() with a literal. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  const code = text.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1]) found.push(m[1]);
  return found;
}

/** Tests, their fixtures and dev scripts may use the testing entry; shipped source (src/, tests aside) may not. */
const isTest = (file: string) =>
  /\.test\.tsx?$/.test(file) ||
  !relative(ROOT, file).split(sep).includes("src") ||
  /store\.contract\.ts$|\/testing\//.test(file);

/** apps/cli, packages/gateway, …: the folder a file's package lives in. */
const packageOf = (file: string) => relative(ROOT, file).split(sep).slice(0, 2).join("/");

/** The files a vendored package's public entries are, as Raycast sees them: vendor/core/index.ts, … */
function vendoredEntries(): Set<string> {
  const files = new Set<string>();
  for (const pkg of ["core", "storage"]) {
    const manifest = JSON.parse(readFileSync(join(ROOT, "packages", pkg, "package.json"), "utf8"));
    for (const target of Object.values(manifest.exports) as string[])
      files.add(join(ROOT, "apps/raycast/vendor", pkg, target.replace(/^\.\/src\//, "")));
  }
  return files;
}

function offences(): string[] {
  const allowed = { "@apikey/core": exportsOf("core"), "@apikey/storage": exportsOf("storage") };
  const vendorDir = join(ROOT, "apps/raycast/vendor") + sep;
  const vendored = vendoredEntries();
  const found: string[] = [];
  for (const file of SCANNED.flatMap((d) => sources(join(ROOT, d)))) {
    const where = relative(ROOT, file);
    for (const spec of specifiers(readFileSync(file, "utf8"))) {
      const pkg = (Object.keys(allowed) as (keyof typeof allowed)[]).find(
        (p) => spec === p || spec.startsWith(`${p}/`),
      );
      if (pkg) {
        const sub = spec === pkg ? "." : `.${spec.slice(pkg.length)}`;
        if (!allowed[pkg].includes(sub)) found.push(`${where}: ${spec} is not a public entry of ${pkg}`);
        else if (spec === "@apikey/core/testing" && !isTest(file))
          found.push(`${where}: @apikey/core/testing is for tests only`);
        continue;
      }
      if (!spec.startsWith(".")) continue;
      const target = resolve(dirname(file), spec);
      if (target.startsWith(vendorDir)) {
        const candidates = [target, `${target}.ts`, join(target, "index.ts")];
        if (!candidates.some((c) => vendored.has(c)))
          found.push(`${where}: ${spec} reaches into the vendored copy, not through a public entry`);
        else if (/\/testing\.ts$/.test(target) && !isTest(file))
          found.push(`${where}: the vendored testing entry is for tests only`);
        continue;
      }
      // Shared fixtures (tests/fixtures) are fine; another package's own source is not.
      const owner = packageOf(target);
      if (owner !== packageOf(file) && relative(join(ROOT, owner), target).split(sep)[0] === "src")
        found.push(`${where}: ${spec} reaches into ${owner}/src`);
    }
  }
  return found;
}

describe("issue 21: one public entry to core", () => {
  it("core publishes a handful of entries, each for a reason", () => {
    expect(exportsOf("core")).toEqual(CORE_PUBLIC);
  });

  it("no app, gateway, keychain or storage source imports around the public entries", () => {
    const files = SCANNED.flatMap((d) => sources(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(200);
    expect(offences()).toEqual([]);
  });

  it("the scan sees each kind of offence it is there to catch", () => {
    expect(specifiers(`import { a } from "@apikey/core/app";`)).toEqual(["@apikey/core/app"]);
    expect(specifiers(`import type {\n  B,\n} from "../../packages/core/src/x.ts";`)).toEqual([
      "../../packages/core/src/x.ts",
    ]);
    expect(specifiers(`const m = await import("@apikey/storage/configured");`)).toEqual([
      "@apikey/storage/configured",
    ]);
    expect(specifiers(`export * from "./y.ts";`)).toEqual(["./y.ts"]);
    expect(isTest(join(ROOT, "apps/raycast/test/x.tsx"))).toBe(true);
    expect(isTest(join(ROOT, "apps/cli/src/context.ts"))).toBe(false);
  });
});
