import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

// The extension's folder must install with npm alone (the Store's CI checks out only this folder and runs `npm ci`):
// core and storage reach it as a vendored copy, which must match the packages.
const root = fileURLToPath(new URL("../..", import.meta.url));
const script = join(root, "scripts", "vendor.mjs");
const vendor = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe("issue 22 item 1: the extension's folder installs on its own", () => {
  let temp: string | undefined;
  afterEach(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
    temp = undefined;
  });

  it("vendor/ is the current copy of core and storage, and package.json lists what it imports", () => {
    const run = vendor("--check");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/vendor\/ is current: \d+ files/);
  });

  it("a stale copy fails and names the command that fixes it (edited, missing and extra files)", () => {
    temp = mkdtempSync(join(tmpdir(), "raycast-vendor-"));
    cpSync(join(root, "vendor"), temp, { recursive: true });
    appendFileSync(join(temp, "core", "errors.ts"), "\n// edited by hand\n");
    rmSync(join(temp, "storage", "node-sqlite.ts"));
    writeFileSync(join(temp, "core", "extra.ts"), "export {};\n");
    const run = vendor("--check", "--dir", temp);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("out of date: vendor/core/errors.ts");
    expect(run.stderr).toContain("missing: vendor/storage/node-sqlite.ts");
    expect(run.stderr).toContain("extra: vendor/core/extra.ts");
    expect(run.stderr).toContain("pnpm --filter api-key-switcher vendor");
  });

  it("regenerating writes byte-identical files (the check cannot pass by accident)", () => {
    temp = mkdtempSync(join(tmpdir(), "raycast-vendor-"));
    expect(vendor("--out", temp).status).toBe(0);
    const list = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length))
        .sort();
    expect(list(temp)).toEqual(list(join(root, "vendor")));
    // Every cross-package import was rewritten to a path inside vendor/.
    for (const file of list(temp).filter((f) => f.endsWith(".ts"))) {
      expect(readFileSync(join(temp, file), "utf8")).not.toMatch(/from "@apikey\//);
    }
  });

  it("package.json has only plain ranges, a lockfile, and the Store's publish script", () => {
    for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      expect(range, name).not.toMatch(/^(workspace|catalog|link|file):/);
    }
    expect(Object.keys(manifest.dependencies).filter((d) => d.startsWith("@apikey/"))).toEqual([]);
    expect(manifest.scripts.publish).toBe("npx @raycast/api@latest publish");
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
      lockfileVersion: number;
      packages: Record<string, { dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>;
    };
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    // npm ci refuses a lockfile whose root entry disagrees with package.json.
    expect(lock.packages[""]?.dependencies).toEqual(manifest.dependencies);
    expect(lock.packages[""]?.devDependencies).toEqual(manifest.devDependencies);
  });

  it("nothing the Store builds imports the workspace: src/ and vendor/ stay inside the folder", () => {
    const files = ["src", "vendor"].flatMap((d) =>
      readdirSync(join(root, d), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
        .map((e) => join(e.parentPath, e.name)),
    );
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toMatch(/from "@apikey\//);
      for (const m of text.matchAll(/from "(\.[^"]+)"/g)) {
        const target = join(file, "..", m[1] as string);
        expect(target.startsWith(root), `${file} imports ${m[1]}`).toBe(true);
      }
    }
  });
});
