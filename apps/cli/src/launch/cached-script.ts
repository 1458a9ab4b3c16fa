import { appendFileSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";
import { withDeferredBuiltins } from "./lazy-builtins.ts";

// A bundled CommonJS file run with V8's code cache for it (`<file>.cache`, written at build time by
// scripts/code-cache.mjs). Most of a short command's start-up is V8 parsing and compiling JavaScript, and Node 20 has
// no compile cache of its own (module.enableCompileCache is Node 22): with the cache, V8 deserializes the compiled
// functions instead. V8 checks the cache against its own version, its flags and the source's length only, and
// rejects one that does not match (another Node, a --max-old-space-size): the file is then compiled as it would be
// without one. The cache is data from the build, beside the code it was made from, with the same owner and
// permissions.
//
// What a start pays for here is memory as much as CPU: on a virtual machine each new page a process touches costs
// microseconds, and the loader used to touch the source four times (issue 25). Now:
// - The build writes the bundle already inside CommonJS's function wrapper (build.mjs, `cachedBundle`): the file is
//   one function expression of CommonJS's five names, compiled as it is, so V8 never copies it to join a wrapper.
// - A source of the same length with other contents would pass V8's check, so each cache starts with the SHA-256 of
//   the source it was made from, and the build stamps that hash on the bundle's last line (stampBundle). A cache
//   whose hash is the stamp, written no earlier than the bundle, is the one made from it: no hashing at start, and
//   so no loading of node:crypto, which a command like `list` never needs. A bundle written after its cache (an edit
//   in place) is hashed before its cache is trusted, as is a bundle with no stamp. An edit that also sets the file's
//   time back is the one change this does not see.

const scripts = new Map<string, Script>();
/** The source hash of each file loaded with a cache, for remaking one V8 rejected. */
const hashes = new Map<string, Buffer>();

/**
 * Runs the bundle at `file` (ASCII: the build writes it with charset "ascii") and returns its exports. `name` is the
 * script's name for V8 when it is not `file`: V8 keeps the name a cache was made under for every run that uses the
 * cache, so the build names each bundle by its place in the package (scripts/code-cache.mjs), not by a folder of
 * the machine that built it.
 */
export function loadCachedScript<T>(file: string, { name = file }: { name?: string } = {}): T {
  const bytes = readFileSync(file);
  // The hash is of the bytes read, so the text is made once, for V8. latin1: the bytes as they are, one byte per
  // character, with no UTF-8 decoding (the bundle is ASCII).
  const cachedData = cacheFor(file, bytes);
  const script = new Script(bytes.toString("latin1"), { filename: name, cachedData });
  scripts.set(file, script);
  const notOurs = () =>
    new Error(`${file} is not a bundle of this build (it is not wrapped as build.mjs writes one)`);
  let run: unknown;
  try {
    run = script.runInThisContext();
  } catch (err) {
    // A CommonJS file without the wrapper fails on the first of CommonJS's names it uses.
    const unwrapped = /^(exports|require|module|__filename|__dirname) is not defined$/;
    if (err instanceof ReferenceError && unwrapped.test(err.message)) throw notOurs();
    throw err;
  }
  if (typeof run !== "function") throw notOurs();
  const loaded = { exports: {} as T };
  run.call(
    loaded.exports,
    loaded.exports,
    withDeferredBuiltins(createRequire(file)),
    loaded,
    file,
    dirname(file),
  );
  return loaded.exports;
}

/**
 * The V8 data of the cache remade for this Node and its options (remakeRejectedCaches), else of the build's
 * (`<file>.cache`), when it was made from exactly this source; else undefined (compile as usual).
 */
function cacheFor(file: string, source: Buffer): Buffer | undefined {
  let cache: Buffer;
  let cachePath = remadeCachePath(file);
  try {
    cache = readFileSync(cachePath);
  } catch {
    try {
      cachePath = `${file}.cache`;
      cache = readFileSync(cachePath);
    } catch {
      return undefined; // A build that made none.
    }
  }
  const made = cache.subarray(0, HASH_BYTES);
  if (made.length !== HASH_BYTES) return undefined;
  const stamp = stampOf(source);
  if (stamp === null) {
    if (!made.equals(sha256(file, source))) return undefined;
  } else {
    if (!made.equals(stamp)) return undefined;
    if (writtenAfter(file, cachePath) && !stamp.equals(sha256(file, unstamped(source)))) return undefined;
  }
  hashes.set(file, made);
  return cache.subarray(HASH_BYTES);
}

const HASH_BYTES = 32;
// The bundle's last line: this prefix, the hex SHA-256 of everything before the line, a newline.
const STAMP_PREFIX = "\n//apikey-source-sha256:";
const STAMP_BYTES = STAMP_PREFIX.length + HASH_BYTES * 2 + 1;

/** The hash a stamped bundle carries (checked for form only), or null when its last line is not a stamp. */
function stampOf(source: Buffer): Buffer | null {
  if (source.length < STAMP_BYTES) return null;
  const line = source.toString("latin1", source.length - STAMP_BYTES);
  const hex = line.slice(STAMP_PREFIX.length, -1);
  if (!line.startsWith(STAMP_PREFIX) || !line.endsWith("\n") || !/^[0-9a-f]{64}$/.test(hex)) return null;
  return Buffer.from(hex, "hex");
}

function unstamped(source: Buffer): Buffer {
  return source.subarray(0, source.length - STAMP_BYTES);
}

/**
 * Appends the stamp to a bundle the build just wrote (scripts/code-cache.mjs, before it makes the cache). A bundle is
 * stamped once: stamping one that has a stamp is a build error.
 */
export function stampBundle(file: string): void {
  const source = readFileSync(file);
  if (stampOf(source) !== null) throw new Error(`${file} is stamped already`);
  appendFileSync(file, `${STAMP_PREFIX}${sha256(file, source).toString("hex")}\n`);
}

/** Whether `file` was modified after `cache` was written (equal times, as a package install leaves them: no). */
function writtenAfter(file: string, cache: string): boolean {
  return statSync(file).mtimeMs > statSync(cache).mtimeMs;
}

/**
 * node:crypto is required only when a hash has to be computed: loading it costs a start more than the hash. (Through
 * a require made for the bundle's path: this module runs bundled, where import.meta is not always defined.)
 */
function sha256(file: string, data: Buffer): Buffer {
  const { createHash } = createRequire(file)("node:crypto") as typeof import("node:crypto");
  return createHash("sha256").update(data).digest();
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
  const source = readFileSync(file);
  writeFileSync(`${file}.cache`, Buffer.concat([stampOf(source) ?? sha256(file, source), data]), {
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
  const options = optionsKey(`${process.execArgv.join("\0")}\n${process.env.NODE_OPTIONS ?? ""}`);
  return `${file}.${process.version}-${options}.cache`;
}

/** 12 hex digits naming a set of options (FNV-1a, twice): a file name, not a secret, so no node:crypto. */
function optionsKey(text: string): string {
  const fnv = (seed: number) => {
    let h = seed;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, "0");
  };
  return (fnv(0x811c9dc5) + fnv(0x050c5d1f)).slice(0, 12);
}
