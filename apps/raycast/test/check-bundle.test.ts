import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// The guard `pnpm build` relies on: it must fail on each thing Raycast would refuse or could not run.
const script = fileURLToPath(new URL("../scripts/check-bundle.mjs", import.meta.url));
const check = (dir: string) => spawnSync(process.execPath, [script, "--check-only", dir], { encoding: "utf8" });

describe("check-bundle", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "raycast-bundle-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "switch-api-key.js"), '"use strict";var a=require("node:sqlite");module.exports=a;');
    writeFileSync(join(dir, "assets", "icon.png"), "png");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("passes a clean bundle and prints its size", () => {
    const run = check(dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/bundle: 1 commands, [\d.]+ KiB of JavaScript/);
  });

  it.each([
    ["a native addon", "build/Release/addon.node", "x", /addon\.node: native addon/],
    ["better-sqlite3", "a.js", 'require("better-sqlite3")', /a\.js: bundles better-sqlite3/],
    ["@napi-rs/keyring", "b.js", 'e("@napi-rs/keyring")', /b\.js: bundles @napi-rs\/keyring/],
    ["createRequire(import.meta.url)", "c.js", "var BY={};(0,K.createRequire)(BY.url)", /c\.js: calls createRequire/],
  ])("fails on %s", (_what, file, content, message) => {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), content);
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
  });
});
