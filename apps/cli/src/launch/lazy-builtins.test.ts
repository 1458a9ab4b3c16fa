import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// In a fresh Node process each (this one loaded node:crypto long ago): the module as the loader gives bundles their
// `require`, bundled as the entry bundles it.

let dir: string;
let module: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "apikey-lazy-builtins-"));
  module = join(dir, "lazy-builtins.cjs");
  const out = await build({
    entryPoints: [fileURLToPath(new URL("./lazy-builtins.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    logLevel: "warning",
  });
  writeFileSync(module, out.outputFiles[0]?.text ?? "");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(body: string): unknown {
  const code = `const { withDeferredBuiltins } = require(${JSON.stringify(module)});
const req = withDeferredBuiltins(require);
const loaded = (name) => process.moduleLoadList.includes("NativeModule " + name);
const out = (() => { ${body} })();
process.stdout.write(JSON.stringify(out));`;
  const script = join(dir, "run.cjs");
  writeFileSync(script, code);
  const r = spawnSync(process.execPath, [script], { encoding: "utf8", env: { PATH: process.env.PATH } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe("Node's modules a bundle requires load when first used (issue 25)", () => {
  it("node:crypto is not loaded by being required, and is by the first use of an export", () => {
    expect(
      run(`const c = req("node:crypto"); const before = loaded("crypto");
const hash = c.createHash("sha256").update("x").digest("hex");
return { before, after: loaded("crypto"), hash };`),
    ).toEqual({
      before: false,
      after: true,
      hash: "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
    });
  });

  it("the stand-in is the module to every use: calls, classes, `in`, keys, descriptors, writes, both spellings", () => {
    expect(
      run(`const real = require("node:crypto"); const c = req("crypto"); const same = req("node:crypto");
const k = c.createSecretKey(Buffer.alloc(16));
c.apikeyTestMark = 1;
return {
  sameStandIn: c === same,
  uuid: /^[0-9a-f-]{36}$/.test(c.randomUUID()),
  isKeyObject: k instanceof c.KeyObject && k instanceof real.KeyObject,
  has: "randomBytes" in c && !("nope" in c),
  keys: Object.keys(c).sort().join() === Object.keys(real).sort().join(),
  descriptor: typeof Object.getOwnPropertyDescriptor(c, "randomBytes")?.value,
  written: real.apikeyTestMark,
  proto: Object.getPrototypeOf(c) === Object.getPrototypeOf(real),
};`),
    ).toEqual({
      sameStandIn: true,
      uuid: true,
      isKeyObject: true,
      has: true,
      keys: true,
      descriptor: "function",
      written: 1,
      proto: true,
    });
  });

  it("modules whose export is a function, and all others, are given as they are", () => {
    expect(
      run(`return {
  events: req("node:events") === require("node:events") && typeof req("node:events") === "function",
  stream: req("stream") === require("stream"),
  fs: req("node:fs") === require("node:fs"),
  resolve: req.resolve("node:fs") === "node:fs",
};`),
    ).toEqual({ events: true, stream: true, fs: true, resolve: true });
  });
});
