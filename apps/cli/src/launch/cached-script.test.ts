import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
const SOURCE = (n: number) =>
  `"use strict";exports.answer=function(){return ${n}*2};exports.where=__dirname;`;

function load(): { used: boolean; answer: number; where: string } {
  const code = `const l=require(${JSON.stringify(loader)});const m=l.loadCachedScript(${JSON.stringify(bundle())});
process.stdout.write(JSON.stringify({used:l.usedCodeCache(${JSON.stringify(bundle())}),answer:m.answer(),where:m.where}));`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: { PATH: process.env.PATH } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
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
    expect(load()).toEqual({ used: false, answer: 42, where: dir });
    writeCache();
    expect(load()).toEqual({ used: true, answer: 42, where: dir });
  });

  it("ignores a cache made from another source of the same length (V8 itself checks only the length)", () => {
    writeFileSync(bundle(), SOURCE(21));
    writeCache();
    writeFileSync(bundle(), SOURCE(34));
    expect(load()).toEqual({ used: false, answer: 68, where: dir });
  });

  it("runs the source as it is when the cache is damaged, cut short or empty", () => {
    writeFileSync(bundle(), SOURCE(21));
    writeCache();
    const good = readFileSync(`${bundle()}.cache`);
    const damaged = Buffer.from(good);
    for (let i = 40; i < damaged.length; i += 7) damaged[i] = (damaged[i] ?? 0) ^ 0xff;
    for (const cache of [damaged, good.subarray(0, 40), good.subarray(0, 10), Buffer.alloc(0)]) {
      writeFileSync(`${bundle()}.cache`, cache);
      expect(load()).toEqual({ used: false, answer: 42, where: dir });
    }
  });
});
