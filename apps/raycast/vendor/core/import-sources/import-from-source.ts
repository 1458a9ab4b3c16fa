// Vendored from packages/core/src/import-sources/import-from-source.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { type ImportOptions, type ImportReport, runImport } from "../bundle/run-import.ts";
import { DEFAULT_PROFILE } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { checkName } from "../vault/names.ts";
import type { Session } from "../vault/session.ts";
import { addCandidate, type SourceScan } from "./candidates.ts";
import { scanDotenv } from "./dotenv.ts";
import { opencodeAuthPath, scanOpencodeAuth } from "./opencode.ts";

export const IMPORT_SOURCES = ["opencode", "dotenv", "env"] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

export interface ImportFromSourceOptions extends ImportOptions {
  from: ImportSource;
  /** The file to read (opencode: defaults to opencode's own auth.json; dotenv: required; env: unused). */
  path?: string;
  /** Variables for locating opencode's data directory (XDG_DATA_HOME, HOME); the front passes its environment. */
  env?: Record<string, string | undefined>;
  /** Name for the imported key(s); default derived from the source (`opencode-anthropic`, `dotenv-env`, `from-env`). */
  name?: string;
  profile?: string;
}

/**
 * Moves keys in from another tool, all or nothing. Keys are recognised by shape; malformed values, OAuth tokens and
 * other providers' keys are skipped with the reason and never echoed. Validation is opt-in (`validate: true`):
 * these keys are usually in use already, and an import should not fire a burst of requests. Source `import`.
 */
export async function importFromSource(
  vault: Session,
  options: ImportFromSourceOptions,
): Promise<ImportReport> {
  const scan = await scanSource({ ...options, envApiKey: vault.config.envApiKey });
  return importScanned(vault, scan, options);
}

/**
 * Reads and scans a source without touching any store, so a front can fail on a bad file before opening one.
 * E_IMPORT_SOURCE when the file cannot be read or holds nothing that looks like an Anthropic key.
 */
export async function scanSource(
  options: Pick<ImportFromSourceOptions, "from" | "path" | "env" | "name" | "profile"> & {
    /** For `from: "env"`: the environment's ANTHROPIC_API_KEY (Config.envApiKey). */
    envApiKey?: string | undefined;
  },
): Promise<SourceScan> {
  const naming = {
    profile: checkName(options.profile ?? DEFAULT_PROFILE, "profile"),
    name: options.name === undefined ? undefined : checkName(options.name, "key"),
  };
  let scan: SourceScan;
  let where: string;
  if (options.from === "env") {
    where = "ANTHROPIC_API_KEY";
    scan = { keys: [], skipped: [] };
    if (options.envApiKey) addCandidate(scan, options.envApiKey, "from-env", naming);
  } else if (options.from === "opencode") {
    where = options.path ?? opencodeAuthPath(options.env ?? {}, homedir());
    scan = scanOpencodeAuth(await readSource(where, "opencode"), where, naming);
  } else {
    if (!options.path) {
      throw new ApikeyError(ERROR_CODES.USAGE, "A dotenv import needs a file.", {
        hint: "Give the path of the .env file.",
      });
    }
    where = options.path;
    scan = scanDotenv(await readSource(where, "dotenv"), where, naming);
  }
  if (scan.keys.length === 0 && scan.skipped.length === 0) {
    throw new ApikeyError(ERROR_CODES.IMPORT_SOURCE, `No Anthropic key was found in ${where}.`, {
      hint:
        options.from === "env"
          ? "Set ANTHROPIC_API_KEY in this environment first."
          : options.from === "dotenv"
            ? "The file needs an ANTHROPIC_API_KEY=… line."
            : "opencode keeps an Anthropic key there after `opencode auth login` with an API key.",
    });
  }
  return scan;
}

/** Imports what `scanSource` found into the scan's profile (which must exist, as for `add`). */
export async function importScanned(
  vault: Session,
  scan: SourceScan,
  options: ImportOptions & { from: ImportSource; profile?: string },
): Promise<ImportReport> {
  const profile = options.profile ?? DEFAULT_PROFILE;
  if (profile !== DEFAULT_PROFILE && !(await vault.store.profiles.get(profile))) {
    throw new ApikeyError(ERROR_CODES.PROFILE_NOT_FOUND, `No profile named "${profile}".`, {
      details: { profile },
    });
  }
  return runImport(vault, options.from, { keys: scan.keys, profiles: [] }, scan.skipped, options);
}

/** A .env or auth.json file is a few KiB; a larger one is not what the person meant to import. */
const MAX_SOURCE_BYTES = 1024 * 1024;

async function readSource(path: string, from: ImportSource): Promise<string> {
  try {
    if ((await stat(path)).size > MAX_SOURCE_BYTES) {
      throw new ApikeyError(ERROR_CODES.IMPORT_SOURCE, "That file is too large to be a key file.", {
        details: { source: from, maxBytes: MAX_SOURCE_BYTES },
      });
    }
    return await readFile(path, "utf8");
  } catch (cause) {
    if (cause instanceof ApikeyError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist"
        : code === "EACCES" || code === "EPERM"
          ? "cannot be read (permission denied)"
          : code === "EISDIR"
            ? "is a directory"
            : "cannot be read";
    throw new ApikeyError(ERROR_CODES.IMPORT_SOURCE, `${path} ${why}.`, {
      hint:
        from === "opencode"
          ? "Give the path of opencode's auth.json."
          : "Check the path, or its permissions, and try again.",
      cause,
    });
  }
}
