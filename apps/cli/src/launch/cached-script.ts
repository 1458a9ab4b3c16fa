import { createHash } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";

// A bundled CommonJS file run with V8's code cache for it (`<file>.cache`, written at build time by
// scripts/code-cache.mjs). Most of a short command's start-up is V8 parsing and compiling JavaScript, and Node 20 has
// no compile cache of its own (module.enableCompileCache is Node 22): with the cache, V8 deserializes the compiled
// functions instead. V8 checks the cache against its own version, its flags and the source's length only, and
// rejects one that does not match (another Node, a --max-old-space-size): the file is then compiled as it would be
// without one. A source of the same length with other contents would pass V8's check, so the cache starts with the
// SHA-256 of the source it was made from, and any other source ignores it. The cache is data from the build, beside
// the code it was made from, with the same owner and permissions.

// CommonJS's own wrapper, so a bundle runs exactly as `require` would run it (the same five names in scope).
const WRAP_HEAD = "(function (exports, require, module, __filename, __dirname) { ";
const WRAP_TAIL = "\n});";

const scripts = new Map<string, Script>();
/** The source hash of each file loaded with a cache, for remaking one V8 rejected. */
const hashes = new Map<string, Buffer>();

/** Runs the bundle at `file` (ASCII: the build writes it with charset "ascii") and returns its exports. */
export function loadCachedScript<T>(file: string): T {
  // latin1: the bytes as they are, one byte per character, with no UTF-8 decoding (the bundle is ASCII).
  const source = readFileSync(file, "latin1");
  const script = new Script(WRAP_HEAD + source + WRAP_TAIL, {
    filename: file,
    cachedData: cacheFor(file, source),
  });
  scripts.set(file, script);
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const loaded = { exports: {} as T };
  run.call(loaded.exports, loaded.exports, createRequire(file), loaded, file, dirname(file));
  return loaded.exports;
}

/**
 * The V8 data of the cache remade for this Node and its options (remakeRejectedCaches), else of the build's
 * (`<file>.cache`), when it was made from exactly this source; else undefined (compile as usual).
 */
function cacheFor(file: string, source: string): Buffer | undefined {
  let cache: Buffer;
  try {
    cache = readFileSync(remadeCachePath(file));
  } catch {
    try {
      cache = readFileSync(`${file}.cache`);
    } catch {
      return undefined; // A build that made none.
    }
  }
  const made = cache.subarray(0, HASH_BYTES);
  const hash = sourceHash(source);
  if (made.length !== HASH_BYTES || !made.equals(hash)) return undefined;
  hashes.set(file, hash);
  return cache.subarray(HASH_BYTES);
}

const HASH_BYTES = 32;

function sourceHash(source: string): Buffer {
  return createHash("sha256").update(source, "latin1").digest();
}

/** Whether V8 used the cache of a file loaded above (false when there was none, or it was rejected). */
export function usedCodeCache(file: string): boolean {
  const script = scripts.get(file);
  return script !== undefined && script.cachedDataRejected === false;
}

/**
 * Writes the code cache of a file loaded above, with every function compiled so far in this process: the build
 * loads the bundle and runs its common path first, so the functions a run needs are in it.
 */
export function writeCodeCache(file: string): number {
  const script = scripts.get(file);
  if (script === undefined) throw new Error(`not loaded: ${file}`);
  const data = script.createCachedData();
  writeFileSync(`${file}.cache`, Buffer.concat([sourceHash(readFileSync(file, "latin1")), data]), {
    mode: 0o644,
  });
  return data.length;
}

/**
 * Remakes, for the Node running now, each cache V8 rejected in this process: one made by another Node version or
 * with other V8 flags, as when the packed CLI is installed beside another Node. Without it every start would pay more
 * than with no cache at all (V8 checks the rejected data, then compiles everything). Called once a command has
 * finished, so the new cache holds what it compiled. It goes to a file of this Node version's and options' own, never
 * over the build's. Written beside and renamed into
 * place, so a start at the same moment reads one whole cache or the other; where this user may not write (a
 * system-wide install), nothing is written and nothing is said.
 */
export function remakeRejectedCaches(): void {
  for (const [file, script] of scripts) {
    const hash = hashes.get(file);
    if (script.cachedDataRejected !== true || hash === undefined) continue;
    const temp = `${file}.cache.${process.pid}.tmp`;
    try {
      writeFileSync(temp, Buffer.concat([hash, script.createCachedData()]), { mode: 0o644, flag: "wx" });
      renameSync(temp, remadeCachePath(file));
    } catch {
      rmSync(temp, { force: true });
    }
  }
}

/**
 * Where this Node, with these options, keeps the cache it remade: one file per Node version and set of options, so
 * two Nodes, or a run with a V8 flag in NODE_OPTIONS and one without, do not take turns remaking one file.
 */
function remadeCachePath(file: string): string {
  const options = createHash("sha256")
    .update(`${process.execArgv.join("\0")}\n${process.env.NODE_OPTIONS ?? ""}`)
    .digest("hex")
    .slice(0, 12);
  return `${file}.${process.version}-${options}.cache`;
}
