import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliResult,
  cliEnv,
  jsonOut,
  type ListedKey,
  makeHome,
  REPO_ROOT,
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// The npm package: `pnpm --filter apikey pack` makes a tarball that `npm install -g` installs with Node and npm
// alone, and the installed `apikey` works against the local fake API.
//
// better-sqlite3's install script downloads a prebuilt addon from GitHub, else compiles SQLite (about 90 s here).
// Tests reach only the npm registry, so the test hands that same script a local prebuild — the addon this
// workspace already built, packed under the name prebuild-install looks for — and the install takes seconds.
// APIKEY_PACK_FROM_SOURCE=1 leaves it out, so the install compiles, as on a machine without the download.

const cliPkg = JSON.parse(readFileSync(join(REPO_ROOT, "apps/cli/package.json"), "utf8")) as {
  version: string;
};
const journal = JSON.parse(
  readFileSync(join(REPO_ROOT, "packages/storage/drizzle/meta/_journal.json"), "utf8"),
) as { entries: Array<{ tag: string }> };
const SECRET = fakeApiKey("PACKAGE");

let home: TestHome;
let fake: FakeAnthropic;
let prefix: string;
let installed: string;
let prebuilds: string;
let tarball: string;

/**
 * npm's environment: the user's (their npm config, registry, certificates and cache apply, as for any install),
 * without the npm_* variables pnpm sets for the test run, which would steer this npm too.
 */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")),
  );
  return { ...env, npm_config_update_notifier: "false", ...extra };
}

/** better-sqlite3's own addon from the workspace, as `<name>-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`. */
function localPrebuild(dir: string): string {
  const pkgJson = createRequire(import.meta.url).resolve("better-sqlite3/package.json");
  const root = join(pkgJson, "..");
  const { version } = JSON.parse(readFileSync(pkgJson, "utf8")) as { version: string };
  mkdirSync(dir, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync("tar", ["-czf", join(dir, name), "-C", root, "build/Release/better_sqlite3.node"]);
  return dir;
}

/** Runs the installed `apikey` through its bin link, as a shell would. */
function runInstalled(args: string[], stdin = "", bin = join(prefix, "bin", "apikey")): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: home.homeDir,
      env: cliEnv({ home, baseUrl: fake.url }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.stdin.on("error", () => {});
    child.stdin.end(stdin);
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        elapsedMs: performance.now() - started,
      }),
    );
  });
}

beforeAll(async () => {
  home = await makeHome();
  fake = await startFakeAnthropic({ validKeys: [SECRET] });
  const packs = join(home.root, "packs");
  execFileSync("pnpm", ["--filter", "apikey", "pack", "--pack-destination", packs], {
    cwd: REPO_ROOT,
    stdio: "pipe",
  });
  tarball = join(packs, `apikey-${cliPkg.version}.tgz`);
  prefix = join(home.root, "prefix");
  const fromSource = process.env.APIKEY_PACK_FROM_SOURCE === "1";
  prebuilds = localPrebuild(join(home.root, "prebuilds"));
  execFileSync("npm", ["install", "--global", "--prefix", prefix, "--no-audit", "--no-fund", tarball], {
    cwd: home.root,
    env: npmEnv(
      fromSource
        ? {}
        : { npm_config_better_sqlite3_local_prebuilds: localPrebuild(join(home.root, "prebuilds")) },
    ),
    stdio: "pipe",
  });
  installed = join(prefix, "lib", "node_modules", "apikey");
}, 240_000);

/** Runs `fn` with the full program bundle of the install at `root` moved away: only the hot path can answer. */
async function withoutProgram<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const program = join(root, "dist", "program.cjs");
  renameSync(program, `${program}.away`);
  try {
    return await fn();
  } finally {
    renameSync(`${program}.away`, program);
  }
}

afterAll(async () => {
  await fake?.close();
  await home?.cleanup();
});

describe("the npm package", () => {
  it("installs the bundle with only its runtime dependencies", () => {
    expect(readdirSync(installed).sort()).toEqual([
      "LICENSE",
      "README.md",
      "dist",
      "node_modules",
      "package.json",
    ]);
    const deps = readdirSync(join(installed, "node_modules"));
    expect(deps).toContain("better-sqlite3");
    expect(readdirSync(join(installed, "node_modules", "@napi-rs"))).toContain("keyring");
    // Everything else is inside dist/: no workspace packages, no bundled libraries, no dev tools.
    for (const bundled of [
      "@apikey",
      "commander",
      "drizzle-orm",
      "@anthropic-ai",
      "zod",
      "esbuild",
      "typescript",
    ]) {
      expect(deps).not.toContain(bundled);
    }
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    expect(manifest.bin).toEqual({ apikey: "./dist/apikey.cjs" });
    expect(manifest.engines.node).toBe(">=20");
    expect(manifest.license).toBe("MIT");
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@napi-rs/keyring", "better-sqlite3"]);
    expect(
      existsSync(
        join(installed, "node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node"),
      ),
    ).toBe(true);
  });

  it("runs --version, add, list, current and exec against the local fake API", async () => {
    const version = await runInstalled(["--version"]);
    expect(version.stdout).toBe(`${cliPkg.version} (store schema ${journal.entries.at(-1)?.tag})\n`);

    const added = await runInstalled(["--json", "add", "personal"], SECRET);
    expect(added.code, added.stderr).toBe(0);
    expect(fake.requestsFor(SECRET)).toMatchObject([{ method: "GET", path: "/v1/models", status: 200 }]);

    const listed = jsonOut<ListedKey[]>(await runInstalled(["--json", "list"]));
    expect(listed.map((k) => [k.name, k.status, k.active])).toEqual([["personal", "active", true]]);

    const current = await runInstalled(["current"]);
    expect(current.stdout).toBe(`${SECRET}\n`);
    expect(current.stderr).toBe("");

    // The command exec runs calls the fake API with the key exec put in its environment.
    const call = `fetch(process.env.ANTHROPIC_BASE_URL + "/v1/models", { headers: { "x-api-key": process.env.ANTHROPIC_API_KEY, "anthropic-version": "2023-06-01" } }).then((r) => console.log(r.status))`;
    const exec = await runInstalled(["exec", "--", process.execPath, "-e", call]);
    expect(exec.stdout).toBe("200\n");
    expect(fake.requestsFor(SECRET)).toHaveLength(2);

    // `current` is answered by the hot path alone, which finds better-sqlite3's addon beside the bundle.
    const hot = await withoutProgram(installed, () => runInstalled(["current"]));
    expect(hot.stdout).toBe(`${SECRET}\n`);
  });

  it("ships the hot path with V8's code cache for it, and answers `current` without that cache too", async () => {
    const cache = join(installed, "dist", "hot.cjs.cache");
    expect(statSync(cache).size).toBeGreaterThan(1024);
    renameSync(cache, `${cache}.away`);
    try {
      const hot = await withoutProgram(installed, () => runInstalled(["current"]));
      expect(hot.stdout).toBe(`${SECRET}\n`);
    } finally {
      renameSync(`${cache}.away`, cache);
    }
  });

  it("answers `current` from the hot path where npm hoisted the dependencies (npx, a project's node_modules)", async () => {
    const project = join(home.root, "project");
    mkdirSync(project);
    execFileSync("npm", ["install", "--prefix", project, "--no-audit", "--no-fund", "--no-save", tarball], {
      cwd: project,
      env: npmEnv({ npm_config_better_sqlite3_local_prebuilds: prebuilds }),
      stdio: "pipe",
    });
    const root = join(project, "node_modules", "apikey");
    expect(existsSync(join(root, "node_modules", "better-sqlite3"))).toBe(false);
    expect(
      (await runInstalled(["--json", "list"], "", join(project, "node_modules", ".bin", "apikey"))).code,
    ).toBe(0);
    const hot = await withoutProgram(root, () =>
      runInstalled(["current"], "", join(project, "node_modules", ".bin", "apikey")),
    );
    expect(hot.stdout).toBe(`${SECRET}\n`);
  }, 120_000);
});
