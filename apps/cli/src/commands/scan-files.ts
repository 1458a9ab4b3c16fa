import {
  closeSync,
  type Dirent,
  constants as fsConstants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  type Stats,
} from "node:fs";
import { join } from "node:path";
import { createKeyStreamScanner, type FoundKey } from "@apikey/core";
import { UsageError } from "../io/errors.ts";

// The files `apikey scan` searches: a walk of the given paths that reads each regular file in chunks and reports,
// with a reason, everything it did not search.

const SKIP_DIRS = new Set([".git", "node_modules"]);

export interface Finding {
  /** `path` for a file, `commit:path` for history. */
  where: string;
  line: number;
  secret: string;
}

// Synchronous on purpose: for many small files one thread reading in a loop is several times faster than a promise
// per file, and scan does nothing else meanwhile. Each file is read in chunks through the streaming search, so a
// file of any size (or a line of any length) is searched in the same bounded memory.
const CHUNK_BYTES = 1024 * 1024;
// O_NONBLOCK: a FIFO swapped in after the directory was read must not block the open; O_NOFOLLOW: nor a symlink.
const OPEN_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | (fsConstants.O_NOFOLLOW ?? 0);

/** Why a path was not searched; each is reported, none counted as searched. */
const SKIP_REASONS = {
  symlink: "a symbolic link (not followed)",
  not_regular: "not a regular file (a FIFO, socket or device)",
  unreadable: "could not be opened",
  read_failed: "could not be read to the end",
  directory_unreadable: "a directory that could not be listed",
} as const;
type SkipReason = keyof typeof SKIP_REASONS;
export interface Skipped {
  path: string;
  reason: SkipReason;
  /** The system's error code, when there was one (EACCES…). */
  code?: string;
}

export class Walk {
  files = 0;
  readonly skipped: Skipped[] = [];
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  // One scanner for every file: end() readies it for the next, so no buffers are made per file.
  private readonly scanner = createKeyStreamScanner();
  constructor(
    private readonly findings: Finding[],
    /** Called after each file searched (progress on a terminal). */
    private readonly onFile: (files: number, path: string) => void = () => {},
  ) {}

  skip(path: string, reason: SkipReason, err?: unknown): void {
    const code = (err as { code?: unknown } | undefined)?.code;
    this.skipped.push({ path, reason, ...(typeof code === "string" && { code }) });
  }

  path(path: string): void {
    let info: Stats;
    try {
      info = lstatSync(path);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      throw new UsageError(
        code === "ENOENT" || code === "ENOTDIR"
          ? `Nothing to scan at ${path}: it does not exist.`
          : `Cannot scan ${path}: it cannot be read${typeof code === "string" ? ` (${code})` : ""}.`,
        "Check the paths given to scan.",
      );
    }
    if (info.isDirectory()) this.dir(path);
    else if (info.isFile()) this.file(path);
    else this.skip(path, info.isSymbolicLink() ? "symlink" : "not_regular");
  }

  private dir(dir: string): void {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      this.skip(dir, "directory_unreadable", err);
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) this.dir(path);
      } else if (entry.isFile()) this.file(path);
      else this.skip(path, entry.isSymbolicLink() ? "symlink" : "not_regular");
    }
  }

  private file(path: string): void {
    let fd: number;
    try {
      fd = openSync(path, OPEN_FLAGS);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      this.skip(path, code === "ELOOP" ? "symlink" : "unreadable", err);
      return;
    }
    try {
      if (!fstatSync(fd).isFile()) {
        this.skip(path, "not_regular");
        return;
      }
      const scanner = this.scanner;
      // Keys are kept as they are found: one found before a read error is still a leaked key.
      const keep = (found: FoundKey[]) => {
        for (const { secret, line } of found) this.findings.push({ where: path, line, secret });
      };
      // A short read of a regular file is its end (most files: one read).
      for (let n = CHUNK_BYTES; n === CHUNK_BYTES; ) {
        n = readSync(fd, this.buffer, 0, CHUNK_BYTES, null);
        keep(scanner.push(this.buffer.subarray(0, n), n < CHUNK_BYTES));
      }
      this.files++;
      this.onFile(this.files, path);
    } catch (err) {
      this.scanner.end(); // discards this file's carry, for the next file
      this.skip(path, "read_failed", err);
    } finally {
      closeSync(fd);
    }
  }
}

/** What was skipped and why, for a person: a few lines, then a count (--json lists every one). */
export function skippedLines(skipped: Skipped[], shown = 20): string[] {
  const lines = skipped
    .slice(0, shown)
    .map((s) => `skipped ${s.path}: ${SKIP_REASONS[s.reason]}${s.code ? ` (${s.code})` : ""}`);
  if (skipped.length > shown)
    lines.push(`… and ${skipped.length - shown} more skipped (--json lists them all)`);
  return lines;
}
