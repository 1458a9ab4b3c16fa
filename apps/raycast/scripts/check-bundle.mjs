// Builds the extension the way the Store does (`ray build -e dist`, offline) and fails when the bundle would not
// run in Raycast: a native addon (`.node`: refused as not cross-platform), better-sqlite3 or @napi-rs/keyring (native,
// and the keychain is off limits for Store extensions). Prints the bundle's size. `pnpm build` runs it.
// `--check-only DIR` checks an existing output without building (its own test uses that).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.indexOf("--check-only");
const out = only >= 0 ? resolve(process.argv[only + 1] ?? ".") : join(root, "dist");

if (only < 0) {
  rmSync(out, { recursive: true, force: true });
  const ray = join(root, "node_modules", ".bin", process.platform === "win32" ? "ray.cmd" : "ray");
  const build = spawnSync(ray, ["build", "-e", "dist", "-o", out, "--non-interactive", "--exit-on-error"], {
    cwd: root,
    encoding: "utf8",
    shell: process.platform === "win32",
  });
  if (build.status !== 0) {
    console.error(build.stdout, build.stderr);
    console.error("ray build failed");
    process.exit(1);
  }
}

const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(out);

// Module markers as esbuild leaves them: package paths in its module comments and require() calls.
const FORBIDDEN = [
  { what: "better-sqlite3", test: (s) => /better-sqlite3|better_sqlite3/.test(s) },
  { what: "@napi-rs/keyring", test: (s) => /@napi-rs[\\/]keyring|keyring-[a-z0-9-]+\.node/.test(s) },
];
const problems = [];
let total = 0;
for (const file of files) {
  const size = statSync(file).size;
  total += size;
  const name = relative(out, file);
  if (file.endsWith(".node")) problems.push(`${name}: native addon`);
  if (!/\.(js|cjs|mjs)$/.test(file)) continue;
  const text = readFileSync(file, "utf8");
  for (const f of FORBIDDEN) if (f.test(text)) problems.push(`${name}: bundles ${f.what}`);
  // esbuild turns import.meta into an empty object in CommonJS output, so createRequire(import.meta.url) throws.
  for (const m of text.matchAll(/createRequire\)\((\w+)\.url\)/g)) {
    if (new RegExp(`\\b${m[1]}=\\{\\}`).test(text)) {
      problems.push(`${name}: calls createRequire(import.meta.url), which is empty in a CommonJS bundle`);
      break;
    }
  }
}

const scripts = files.filter((f) => /\.js$/.test(f));
const maps = files.filter((f) => /\.map$/.test(f));
const sum = (fs) => fs.reduce((n, f) => n + statSync(f).size, 0);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const f of scripts) console.log(`  ${relative(out, f).padEnd(28)} ${kb(statSync(f).size)}`);
console.log(
  `bundle: ${scripts.length} commands, ${kb(sum(scripts))} of JavaScript (${kb(sum(maps))} of source maps, ` +
    `${kb(total)} in all) in ${relative(process.cwd(), out) || "."}`,
);
if (problems.length > 0) {
  console.error(`The bundle cannot run in Raycast:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
