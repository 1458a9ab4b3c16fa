// Copies the part of @apikey/core and @apikey/storage the extension uses into `vendor/`, as plain TypeScript, so the
// extension's folder installs and builds on its own. The Raycast Store's CI checks out only this folder and runs
// `npm ci` + `ray build` there ("Please use npm … and include package-lock.json", raycast/extensions
// docs/basics/prepare-an-extension-for-store.md; raycast/extensions .github/workflows/extensions_build_publish.yml),
// where `workspace:` and `catalog:` specifiers fail with EUNSUPPORTEDPROTOCOL.
//
// Run from the workspace (it reads ../../packages):
//   pnpm --filter api-key-switcher vendor            rewrite vendor/
//   node scripts/vendor.mjs --check                  fail when vendor/ or package.json's dependencies are stale
//   node scripts/vendor.mjs --out DIR                write the copy elsewhere
//   node scripts/vendor.mjs --check --dir DIR        check a copy elsewhere (the script's own test)
//
// What is copied: every file reachable from ENTRIES through imports (type imports included, tests never), each under
// vendor/<package>/<its path in src/>, with `@apikey/...` specifiers rewritten to relative paths and a header. The
// packages' own npm dependencies that the copy imports must be in this package.json with the range the package
// declares (catalog ranges resolved from pnpm-workspace.yaml), so npm installs what the workspace tests.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const workspace = join(root, "..", "..");
const PACKAGES = {
  "@apikey/core": join(workspace, "packages", "core"),
  "@apikey/storage": join(workspace, "packages", "storage"),
};
const FOLDER = { "@apikey/core": "core", "@apikey/storage": "storage" };
/** What the extension (src/ and test/) imports from the packages. Add a subpath here, then re-run the script. */
const ENTRIES = [
  "@apikey/core",
  // The extension's tests build stores through core's use cases; nothing in src/ imports it.
  "@apikey/core/testing",
  "@apikey/storage/node-sqlite",
];
const COMMAND = "pnpm --filter api-key-switcher vendor";
/**
 * Tools the extension shares with the workspace, once `catalog:` here: their ranges must stay the catalog's. Others
 * (@types/node, React, Raycast's packages) are pinned for Raycast's runtime on purpose.
 */
const FOLLOWS_CATALOG = ["esbuild", "typescript", "vitest"];
const header = (from) =>
  `// Vendored from ${from} by scripts/vendor.mjs: do not edit here. Edit the package, then run \`${COMMAND}\`.\n`;

const args = process.argv.slice(2);
const check = args.includes("--check");
const outArg = args.indexOf("--out");
const dirArg = args.indexOf("--dir");
const vendorDir = dirArg >= 0 ? resolve(args[dirArg + 1] ?? ".") : join(root, "vendor");

function fail(message) {
  console.error(message);
  process.exit(1);
}

if (!existsSync(PACKAGES["@apikey/core"])) {
  fail(`vendor.mjs runs inside the apikey workspace (no ${PACKAGES["@apikey/core"]}); vendor/ is already checked in.`);
}

const manifests = Object.fromEntries(
  Object.entries(PACKAGES).map(([name, dir]) => [name, JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))]),
);

/** "@apikey/core/app" → the file its package.json `exports` names. */
function resolvePackageSpecifier(spec) {
  const name = Object.keys(PACKAGES).find((p) => spec === p || spec.startsWith(`${p}/`));
  if (!name) return null;
  const sub = spec === name ? "." : `.${spec.slice(name.length)}`;
  const target = manifests[name].exports?.[sub];
  if (typeof target !== "string") fail(`${spec}: not in ${name}'s package.json exports`);
  return join(PACKAGES[name], target);
}

function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) if (existsSync(candidate)) return candidate;
  fail(`${relative(workspace, from)}: cannot resolve ${spec}`);
}

/** The package (and its folder) a file belongs to. */
function ownerOf(file) {
  for (const [name, dir] of Object.entries(PACKAGES)) {
    const src = join(dir, "src") + sep;
    if (file.startsWith(src)) return { name, rel: relative(join(dir, "src"), file).split(sep).join("/") };
  }
  fail(`${relative(workspace, file)} is outside the vendored packages' src/`);
}

const outPath = (file) => {
  const { name, rel } = ownerOf(file);
  return `${FOLDER[name]}/${rel}`;
};

// Walk the import graph. ts.preProcessFile sees `import type`, `export … from` and import() with a literal.
const files = new Map(); // absolute source path → { text, imports: [{ spec, pos, end, target? }] }
const externals = new Map(); // npm package → the vendored package that imports it
const queue = ENTRIES.map(resolvePackageSpecifier);
while (queue.length > 0) {
  const file = queue.pop();
  if (files.has(file)) continue;
  if (/\.test\.tsx?$/.test(file)) fail(`${relative(workspace, file)}: a test file is reachable from the entries`);
  const text = readFileSync(file, "utf8");
  const imports = [];
  if (file.endsWith(".ts")) {
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      const spec = ref.fileName;
      // ref.pos is the opening quote; the specifier's text follows it.
      const at = { spec, pos: ref.pos + 1, end: ref.pos + 1 + spec.length };
      if (text.slice(at.pos, at.end) !== spec) fail(`${relative(workspace, file)}: cannot locate import "${spec}"`);
      if (spec.startsWith(".")) at.target = resolveRelative(file, spec);
      else if (spec.startsWith("@apikey/")) at.target = resolvePackageSpecifier(spec);
      else if (!spec.startsWith("node:")) {
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
        externals.set(pkg, ownerOf(file).name);
      }
      if (at.target) queue.push(at.target);
      imports.push(at);
    }
  }
  files.set(file, { text, imports });
}

/** Writes the copy into `out` (emptied first). */
function writeCopy(out) {
  rmSync(out, { recursive: true, force: true });
  for (const [file, { text, imports }] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const dest = join(out, outPath(file));
    mkdirSync(dirname(dest), { recursive: true });
    if (!file.endsWith(".ts")) {
      copyFileSync(file, dest);
      continue;
    }
    let body = "";
    let last = 0;
    for (const at of [...imports].sort((a, b) => a.pos - b.pos)) {
      if (!at.target || !at.spec.startsWith("@apikey/")) continue;
      let rel = posix.relative(posix.dirname(outPath(file)), outPath(at.target));
      if (!rel.startsWith(".")) rel = `./${rel}`;
      body += text.slice(last, at.pos) + rel;
      last = at.end;
    }
    body += text.slice(last);
    writeFileSync(dest, header(relative(workspace, file).split(sep).join("/")) + body);
  }
  writeFileSync(
    join(out, "README.md"),
    `# Vendored apikey packages\n\nCopied from \`packages/core/src\` and \`packages/storage/src\` by \`scripts/vendor.mjs\`` +
      ` (${files.size} files, from ${ENTRIES.map((e) => `\`${e}\``).join(", ")}), so this folder installs and builds` +
      " without the apikey workspace (the Raycast Store builds the extension's folder alone).\nDo not edit: change" +
      ` the packages and run \`${COMMAND}\`; the extension's tests fail while this copy is stale.\n`,
  );
}

/** Every file under dir, as relative posix paths. */
function listFiles(dir, prefix = "") {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/** The catalog's ranges, from pnpm-workspace.yaml's `catalog:` block (flat `name: range` lines). */
function catalog() {
  const lines = readFileSync(join(workspace, "pnpm-workspace.yaml"), "utf8").split("\n");
  const start = lines.findIndex((l) => /^catalog:\s*$/.test(l));
  const ranges = {};
  for (const line of lines.slice(start + 1)) {
    const m = /^\s+"?([^":]+)"?:\s*(\S+)\s*$/.exec(line);
    if (!m) break;
    ranges[m[1]] = m[2];
  }
  return ranges;
}

/**
 * Problems with package.json: each npm package the copy imports, at the range its package declares; no specifier npm
 * cannot install; and the catalog's range for the tools in FOLLOWS_CATALOG.
 */
function dependencyProblems() {
  const own = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const ranges = catalog();
  const problems = [];
  for (const [pkg, from] of [...externals].sort()) {
    let wanted = manifests[from].dependencies?.[pkg] ?? manifests[from].peerDependencies?.[pkg];
    if (wanted === "catalog:") wanted = ranges[pkg];
    if (!wanted) problems.push(`${from} imports ${pkg} but does not declare it`);
    else if (own.dependencies?.[pkg] !== wanted) {
      problems.push(
        `package.json dependencies: "${pkg}": "${wanted}" (as in ${from}), found ${own.dependencies?.[pkg]}`,
      );
    }
  }
  for (const section of ["dependencies", "devDependencies"]) {
    for (const [pkg, range] of Object.entries(own[section] ?? {})) {
      if (/^(workspace|catalog|link|file):/.test(range)) {
        problems.push(`package.json ${section}: "${pkg}": "${range}" cannot be installed by npm outside the workspace`);
      } else if (FOLLOWS_CATALOG.includes(pkg) && ranges[pkg] !== range) {
        // The workspace's catalog moved: follow it here too (and refresh package-lock.json), so the extension is
        // built with what the rest of the workspace tests.
        problems.push(
          `package.json ${section}: "${pkg}": "${ranges[pkg]}" (pnpm-workspace.yaml catalog), found ${range}`,
        );
      }
    }
  }
  return problems;
}

if (check) {
  const temp = join(tmpdir(), `apikey-vendor-check-${process.pid}`);
  writeCopy(temp);
  const want = listFiles(temp);
  const have = listFiles(vendorDir);
  const stale = [
    ...want.filter((f) => !have.includes(f)).map((f) => `missing: vendor/${f}`),
    ...have.filter((f) => !want.includes(f)).map((f) => `extra: vendor/${f}`),
    ...want
      .filter((f) => have.includes(f))
      .filter((f) => !readFileSync(join(temp, f)).equals(readFileSync(join(vendorDir, f))))
      .map((f) => `out of date: vendor/${f}`),
  ];
  rmSync(temp, { recursive: true, force: true });
  const problems = [...stale, ...dependencyProblems()];
  if (problems.length > 0) {
    fail(`The vendored packages are stale:\n  ${problems.join("\n  ")}\nRun \`${COMMAND}\` (and fix package.json).`);
  }
  console.log(`vendor/ is current: ${files.size} files from ${ENTRIES.join(", ")}`);
} else {
  const out = outArg >= 0 ? resolve(args[outArg + 1] ?? fail("--out needs a directory")) : vendorDir;
  writeCopy(out);
  console.log(`wrote ${files.size} files to ${relative(process.cwd(), out) || "."}`);
  const problems = dependencyProblems();
  if (problems.length > 0) fail(`Fix package.json:\n  ${problems.join("\n  ")}`);
}
