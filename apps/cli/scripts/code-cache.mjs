// Writes V8's code cache of each bundle (DIST/hot.cjs.cache, DIST/program.cjs.cache, DIST/lib/*.cjs.cache), run by
// build.mjs with the build's own Node:
//
//   node scripts/code-cache.mjs DIST
//
// It adds a fake key to a throwaway store with the CLI just built, then loads each bundle through the loader the
// entry uses (src/launch/cached-script.ts, bundled here from the same source so the two wrap the files alike) and
// runs its common path once (`current` for hot.cjs, the read commands for the program), so every function that path
// compiles is in the cache. Nothing of the throwaway store survives it. A cache another Node rejects costs nothing: that Node compiles the file as it would without one.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** What the program's cache is made from: the commands people type most (issue 25's read commands). */
const WARM_UP = [["list"], ["status"], ["show", "warm-up"], ["usage"], ["profile", "list"], ["audit"]];

const dist = resolve(process.argv[2] ?? fileURLToPath(new URL("../dist", import.meta.url)));
// V8 keeps the name a cache was made under, for every process that uses the cache: in stack traces a bundle is named
// by its place in the package (apikey/dist/program.cjs), never by the folder it was built in on this machine, which
// the packed CLI would otherwise carry to every machine it is installed on.
const finalName = (file) => ({ name: `apikey/dist/${relative(dist, file).split("\\").join("/")}` });
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
  const { loadCachedScript, stampBundle, writeCodeCache } = createRequire(import.meta.url)(loaderFile);
  // Each bundle carries the hash of its source on its last line, which its cache must match (cached-script.ts).
  for (const file of [
    join(dist, "hot.cjs"),
    join(dist, "program.cjs"),
    ...readdirSync(join(dist, "lib"))
      .filter((f) => f.endsWith(".cjs"))
      .map((f) => join(dist, "lib", f)),
  ]) {
    stampBundle(file);
  }

  const hot = join(dist, "hot.cjs");
  assertAscii(hot);
  const { tryPrintCurrent } = loadCachedScript(hot, finalName(hot));
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
  report(hot, writeCodeCache(hot));

  // The program: the read commands people type most, run in this process on the warm-up store, so the functions
  // they compile are in its cache (a command not warmed up compiles what the cache lacks, as without one).
  const program = join(dist, "program.cjs");
  assertAscii(program);
  const { run } = loadCachedScript(program, finalName(program));
  for (const args of WARM_UP) {
    // A command forgets the variables that unlock the store (issue 20 item 8): give them back to each.
    Object.assign(process.env, env);
    process.stdout.write = () => true;
    try {
      await run(args);
    } finally {
      process.stdout.write = write;
    }
    if ((process.exitCode ?? 0) !== 0) fail(`\`apikey ${args.join(" ")}\` failed on the warm-up store`);
  }
  report(program, writeCodeCache(program));

  // The libraries: loading one compiles what it runs at load; the SDK also builds a client's request once.
  for (const name of readdirSync(join(dist, "lib")).filter((f) => f.endsWith(".cjs"))) {
    const file = join(dist, "lib", name);
    assertAscii(file);
    const lib = loadCachedScript(file, finalName(file));
    if (name === "anthropic-sdk.cjs") await warmUpSdk(lib["@anthropic-ai/sdk"].default);
    report(file, writeCodeCache(file));
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

/** The loader reads a bundle as latin1, byte for byte: it must be ASCII (esbuild's charset "ascii"). */
function assertAscii(file) {
  if (readFileSync(file).some((byte) => byte > 0x7f)) fail(`${file} is not ASCII`);
}

function report(file, bytes) {
  console.log(`code cache: ${file}.cache (${bytes} bytes)`);
}

/** One request of a client to a port nothing listens on: the SDK's request path compiles, nothing is sent. */
async function warmUpSdk(Anthropic) {
  const client = new Anthropic({ apiKey: fakeKey(), baseURL: "http://127.0.0.1:9", maxRetries: 0 });
  await client.models.list().catch(() => {});
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
