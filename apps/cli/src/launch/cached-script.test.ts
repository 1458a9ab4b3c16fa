import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The loader the entry runs hot.cjs with, in fresh Node processes as the CLI runs it (an isolate that has compiled a
// source once answers from its own memory, so a second load in this process would prove nothing).

let dir: string;
let loader: string;
const bundle = () => join(dir, "sample.cjs");
// As build.mjs writes a bundle: one function expression of CommonJS's five names.
const SOURCE = (n: number) =>
  `(function (exports, require, module, __filename, __dirname) { "use strict";exports.answer=function(){return ${n}*2};exports.where=__dirname;\n});`;

interface Loaded {
  used: boolean;
  answer: number;
  where: string;
  /** Whether node:crypto was loaded by the time the bundle had run. */
  crypto: boolean;
}

function load(nodeFlags: string[] = [], remake = false): Loaded {
  const code = `const l=require(${JSON.stringify(loader)});const m=l.loadCachedScript(${JSON.stringify(bundle())});
const out={used:l.usedCodeCache(${JSON.stringify(bundle())}),answer:m.answer(),where:m.where,
crypto:process.moduleLoadList.includes("NativeModule crypto")};${remake ? "l.remakeRejectedCaches();" : ""}
process.stdout.write(JSON.stringify(out));`;
  // A script file, not -e: Node counts -e and its text among its own options (process.execArgv).
  const script = join(dir, remake ? "load-remake.cjs" : "load.cjs");
  writeFileSync(script, code);
  const r = spawnSync(process.execPath, [...nodeFlags, script], {
    encoding: "utf8",
    env: { PATH: process.env.PATH },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function stamp(): void {
  const code = `require(${JSON.stringify(loader)}).stampBundle(${JSON.stringify(bundle())});`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: { PATH: process.env.PATH } });
  if (r.status !== 0) throw new Error(r.stderr);
}

function writeCache(): void {
  const code = `const l=require(${JSON.stringify(loader)});l.loadCachedScript(${JSON.stringify(bundle())}).answer();
l.writeCodeCache(${JSON.stringify(bundle())});`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: { PATH: process.env.PATH } });
  if (r.status !== 0) throw new Error(r.stderr);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "apikey-code-cache-"));
  loader = join(dir, "loader.cjs");
  const out = await build({
    entryPoints: [fileURLToPath(new URL("./cached-script.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    logLevel: "warning",
  });
  writeFileSync(loader, out.outputFiles[0]?.text ?? "");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a bundle run with V8's code cache (issue 25: `current` near a bare Node start)", () => {
  it("runs without a cache, then with the one made from it, with CommonJS's names in scope", () => {
    writeFileSync(bundle(), SOURCE(21));
    expect(load()).toMatchObject({ used: false, answer: 42, where: dir });
    writeCache();
    expect(load()).toMatchObject({ used: true, answer: 42, where: dir });
  });

  it("ignores a cache made from another source of the same length (V8 itself checks only the length)", () => {
    writeFileSync(bundle(), SOURCE(21));
    writeCache();
    writeFileSync(bundle(), SOURCE(34));
    expect(load()).toMatchObject({ used: false, answer: 68, where: dir });
  });

  it("remakes a cache V8 rejected (other flags, as another Node) for the Node that runs, once its work is done", () => {
    writeFileSync(bundle(), SOURCE(21));
    writeCache();
    const flags = ["--max-old-space-size=123"];
    expect(load(flags)).toMatchObject({ used: false, answer: 42, where: dir });
    expect(load(flags, true)).toMatchObject({ used: false, answer: 42, where: dir });
    expect(load(flags)).toMatchObject({ used: true, answer: 42, where: dir });
    // Beside the build's cache, never over it, in a file of that Node's and those options' own; no temporary file.
    const caches = () => readdirSync(dir).filter((f) => f.startsWith("sample.cjs."));
    expect(caches()).toHaveLength(2);
    expect(caches()).toContain("sample.cjs.cache");
    expect(caches().find((f) => f !== "sample.cjs.cache")).toMatch(
      /^sample\.cjs\.v[\d.]+-[0-9a-f]{12}\.cache$/,
    );
    // The Node without those flags still uses the build's cache, and remakes nothing.
    expect(load([], true)).toMatchObject({ used: true, answer: 42, where: dir });
    expect(caches()).toHaveLength(2);
    for (const f of caches()) if (f !== "sample.cjs.cache") rmSync(join(dir, f));
  });

  it("does not make a cache where there was none, nor replace one made from another source", () => {
    writeFileSync(bundle(), SOURCE(21));
    rmSync(`${bundle()}.cache`, { force: true });
    expect(load([], true)).toMatchObject({ used: false, answer: 42, where: dir });
    expect(readdirSync(dir).filter((f) => f.endsWith(".cache"))).toEqual([]);
    writeCache();
    const before = readFileSync(`${bundle()}.cache`);
    writeFileSync(bundle(), SOURCE(34));
    expect(load(["--max-old-space-size=123"], true)).toMatchObject({ used: false, answer: 68, where: dir });
    expect(readFileSync(`${bundle()}.cache`).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".cache"))).toEqual(["sample.cjs.cache"]);
  });

  it("runs the source as it is when the cache is damaged, cut short or empty", () => {
    writeFileSync(bundle(), SOURCE(21));
    writeCache();
    const good = readFileSync(`${bundle()}.cache`);
    const damaged = Buffer.from(good);
    for (let i = 40; i < damaged.length; i += 7) damaged[i] = (damaged[i] ?? 0) ^ 0xff;
    for (const cache of [damaged, good.subarray(0, 40), good.subarray(0, 10), Buffer.alloc(0)]) {
      writeFileSync(`${bundle()}.cache`, cache);
      expect(load()).toMatchObject({ used: false, answer: 42, where: dir });
    }
  });

  it("says what is wrong with a file that is not a bundle of the build (no wrapper)", () => {
    rmSync(`${bundle()}.cache`, { force: true });
    for (const source of [
      `"use strict";exports.answer=function(){return 1};`,
      `"use strict";var answer=1;`,
    ]) {
      writeFileSync(bundle(), source);
      expect(() => load()).toThrow(/sample\.cjs is not a bundle of this build/);
    }
  });
});

describe("a stamped bundle (the build's): its cache is trusted without hashing, unless the bundle changed since", () => {
  it("uses the cache made from it and never loads node:crypto; an unstamped one is hashed (crypto)", () => {
    writeFileSync(bundle(), SOURCE(21));
    writeCache();
    expect(load()).toEqual({ used: true, answer: 42, where: dir, crypto: true });
    writeFileSync(bundle(), SOURCE(21));
    stamp();
    writeCache();
    expect(readFileSync(bundle(), "latin1")).toMatch(/\n\/\/apikey-source-sha256:[0-9a-f]{64}\n$/);
    expect(load()).toEqual({ used: true, answer: 42, where: dir, crypto: false });
  });

  it("hashes a bundle written after its cache: an edit of the same length in place is seen, the stamp left as it was", () => {
    writeFileSync(bundle(), SOURCE(21));
    stamp();
    writeCache();
    const edited = readFileSync(bundle(), "latin1").replace("21*2", "34*2");
    writeFileSync(bundle(), edited, "latin1");
    // Written after the cache, by at least a second whatever the file system's clock grain.
    const cached = statSync(`${bundle()}.cache`).mtime;
    utimesSync(bundle(), new Date(cached.getTime() + 2000), new Date(cached.getTime() + 2000));
    expect(load()).toEqual({ used: false, answer: 68, where: dir, crypto: true });
    // Unchanged but touched (a copy, an unpacked archive): the hash matches and the cache is used.
    writeFileSync(bundle(), SOURCE(21));
    stamp();
    writeCache();
    utimesSync(bundle(), new Date(cached.getTime() + 4000), new Date(cached.getTime() + 4000));
    expect(load()).toEqual({ used: true, answer: 42, where: dir, crypto: true });
  });

  it("ignores the cache of another stamped source, and a bundle is stamped once", () => {
    writeFileSync(bundle(), SOURCE(21));
    stamp();
    writeCache();
    const cache = readFileSync(`${bundle()}.cache`);
    writeFileSync(bundle(), SOURCE(34));
    stamp();
    writeFileSync(`${bundle()}.cache`, cache);
    expect(load()).toEqual({ used: false, answer: 68, where: dir, crypto: false });
    expect(() => stamp()).toThrow(/stamped already/);
  });
});
