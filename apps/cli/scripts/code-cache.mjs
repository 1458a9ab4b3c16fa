// Writes V8's code cache for the hot path (DIST/hot.cjs.cache), run by build.mjs with the build's own Node:
//
//   node scripts/code-cache.mjs DIST
//
// It adds a fake key to a throwaway store with the CLI just built, then loads hot.cjs through the loader the entry
// uses (src/launch/cached-script.ts, bundled here from the same source so the two wrap the file alike) and answers
// `apikey current` once, so every function that path compiles is in the cache. Nothing of the throwaway store
// survives it. A cache another Node rejects costs nothing: that Node compiles the file as it would without one.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const dist = resolve(process.argv[2] ?? fileURLToPath(new URL("../dist", import.meta.url)));
const root = mkdtempSync(join(tmpdir(), "apikey-code-cache-"));
try {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: root,
    APIKEY_HOME: join(root, "data"),
    APIKEY_MASTER_KEY: randomBytes(32).toString("base64"),
    // Nothing listens here: the build never reaches the network.
    ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
    NO_COLOR: "1",
  };
  const added = spawnSync(process.execPath, [join(dist, "apikey.cjs"), "add", "--no-validate", "warm-up"], {
    env,
    cwd: root,
    input: fakeKey(),
    encoding: "utf8",
  });
  if (added.status !== 0) fail(`adding the warm-up key failed: ${added.stderr.trim()}`);

  const loaderFile = join(root, "cached-script.cjs");
  const loader = await build({
    entryPoints: [fileURLToPath(new URL("../src/launch/cached-script.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    logLevel: "warning",
  });
  writeFileSync(loaderFile, loader.outputFiles[0].text);
  const { loadCachedScript, writeCodeCache } = createRequire(import.meta.url)(loaderFile);

  const hot = join(dist, "hot.cjs");
  // The loader reads the bundle as latin1, byte for byte: it must be ASCII (esbuild's charset "ascii").
  if (readFileSync(hot).some((byte) => byte > 0x7f)) fail(`${hot} is not ASCII`);
  const { tryPrintCurrent } = loadCachedScript(hot);
  // The key it prints is the throwaway one; it goes nowhere.
  const write = process.stdout.write;
  process.stdout.write = () => true;
  let answered;
  try {
    answered = await tryPrintCurrent("default", env);
  } finally {
    process.stdout.write = write;
  }
  if (answered !== true) fail("the hot path did not answer `current` on the warm-up store");
  const bytes = writeCodeCache(hot);
  console.log(`code cache: ${join(dist, "hot.cjs.cache")} (${bytes} bytes)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

/** A visibly fake, well-formed key, as tests/fixtures/keys.ts makes them. */
function fakeKey() {
  let body = "FAKE_TEST_CODE_CACHE_";
  let seed = Buffer.from("code-cache");
  while (body.length < 93) {
    seed = createHash("sha256").update(seed).digest();
    body += seed.toString("base64url");
  }
  return `sk-ant-api03-${body.slice(0, 93)}AA`;
}

function fail(message) {
  throw new Error(`code cache: ${message}`);
}
