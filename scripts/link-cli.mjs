// Puts `apikey` on the PATH after `pnpm install` in a clone (run by the root `prepare`, after the build), so the
// commands apikey prints (`apikey add NAME`, …) work as printed. A symbolic link to this checkout's
// apps/cli/dist/apikey.cjs, in the first of these directories that is on the PATH and writable: npm's global bin
// (where `npm install -g` puts commands), ~/.local/bin, ~/bin. With none, ~/.local/bin, and the one command that adds it
// to the PATH is printed. An `apikey` there that belongs to another install is left alone (say --force to replace).
//
//   node scripts/link-cli.mjs [--force]      APIKEY_BIN_DIR=DIR picks the directory; APIKEY_NO_LINK=1 or CI skips
import { spawnSync } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const TARGET = fileURLToPath(new URL("../apps/cli/dist/apikey.cjs", import.meta.url));

/** The directories to try, in order, and whether each is on the PATH. */
export function candidates(env, npmGlobalBin) {
  const home = env.HOME || homedir();
  const onPath = new Set(
    (env.PATH ?? "")
      .split(delimiter)
      .filter(Boolean)
      .map((d) => resolve(d)),
  );
  const dirs = env.APIKEY_BIN_DIR
    ? [resolve(env.APIKEY_BIN_DIR)]
    : [npmGlobalBin, join(home, ".local", "bin"), join(home, "bin")].filter(Boolean).map((d) => resolve(d));
  return [...new Set(dirs)].map((dir) => ({ dir, onPath: onPath.has(dir) }));
}

const writable = (dir) => {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** Where the link goes, and whether the PATH already reaches it. */
export function chooseDir(list, isWritable = writable) {
  const usable = list.find((c) => c.onPath && existsSync(c.dir) && isWritable(c.dir));
  if (usable) return usable;
  // None on the PATH: the first candidate that we can make or write, the person adds it to the PATH.
  return list.find((c) => !existsSync(c.dir) || isWritable(c.dir)) ?? null;
}

function npmGlobalBin() {
  const r = spawnSync("npm", ["prefix", "-g"], { encoding: "utf8", timeout: 20_000 });
  const prefix = r.status === 0 ? r.stdout.trim() : "";
  if (!prefix) return null;
  return process.platform === "win32" ? prefix : join(prefix, "bin");
}

/** What is at `link` now: nothing, our link, another install's apikey, or a dead link (safe to replace). */
function existing(link) {
  let info;
  try {
    info = lstatSync(link);
  } catch {
    return { kind: "none" };
  }
  if (!info.isSymbolicLink()) return { kind: "other", what: link };
  const to = resolve(dirname(link), readlinkSync(link));
  if (to === TARGET) return { kind: "ours" };
  return existsSync(to) ? { kind: "other", what: to } : { kind: "dead" };
}

export function link({ env = process.env, force = false, log = (s) => process.stdout.write(`${s}\n`) } = {}) {
  if (env.APIKEY_NO_LINK === "1" || (env.CI && !env.APIKEY_BIN_DIR))
    return { linked: false, reason: "skipped" };
  if (!existsSync(TARGET)) {
    log(`apikey: not linked: ${TARGET} is not built yet (pnpm build).`);
    return { linked: false, reason: "not_built" };
  }
  const choice = chooseDir(candidates(env, env.APIKEY_BIN_DIR ? null : npmGlobalBin()));
  if (choice === null) {
    log(
      `apikey: no directory to put the command in; run it as ${TARGET}, or link it yourself: ln -s ${TARGET} DIR/apikey`,
    );
    return { linked: false, reason: "no_dir" };
  }
  const path = join(choice.dir, "apikey");
  const now = existing(path);
  if (now.kind === "other" && !force) {
    log(
      `apikey: ${path} is another install's (${now.what}); left alone. To run this checkout's instead: node scripts/link-cli.mjs --force`,
    );
    return { linked: false, reason: "taken", path };
  }
  if (now.kind !== "ours") {
    mkdirSync(choice.dir, { recursive: true });
    if (now.kind !== "none") rmSync(path, { force: true });
    symlinkSync(TARGET, path);
  }
  log(`apikey: ${path} runs this checkout (${TARGET}).`);
  if (!choice.onPath) {
    log(`apikey: ${choice.dir} is not on your PATH. Add it (and to your shell's start-up file to keep it):`);
    log(`  export PATH="${choice.dir}:$PATH"`);
  }
  return { linked: true, path, onPath: choice.onPath };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    link({ force: process.argv.includes("--force") });
  } catch (err) {
    // Never fail the install over the convenience link: say why, and how to run apikey without it.
    process.stdout.write(`apikey: could not link the command (${err.message}); run it as ${TARGET}.\n`);
  }
}
