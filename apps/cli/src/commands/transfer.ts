import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { open, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import {
  checkExportPassphrase,
  IMPORT_SOURCES,
  type ImportProgress,
  type ImportReport,
  type ImportSource,
  readBundle,
  scanSource,
} from "@apikey/core";
import { ApikeyError, ERROR_CODES } from "@apikey/core/errors";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import type { Context } from "../context.ts";
import { UsageError } from "../io/errors.ts";
import { askHidden } from "../io/secret-input.ts";
import { importAnthropicProfile } from "./import-sdk-profile.ts";

// `apikey export` and `apikey import`. The bundle passphrase comes from a hidden prompt or
// APIKEY_EXPORT_PASSPHRASE, never from argv; the bundle itself is encrypted, so stdout is a fine place for it
// when stdout is a pipe or a file.

const PASSPHRASE_ENV = "APIKEY_EXPORT_PASSPHRASE";
/** Below this a progress line is noise: the import is over before it would be read. */
const PROGRESS_FROM = 50;

export function registerTransferCommands(program: Command, action: Action): void {
  program
    .command("export")
    .description(`write an encrypted bundle of your keys (passphrase asked twice, or ${PASSPHRASE_ENV})`)
    .option(
      "-o, --out <file>",
      "write the bundle to FILE (mode 0600); default: stdout when it is not a terminal",
    )
    .option("-f, --force", "replace FILE if it exists")
    .action(
      action(async (ctx, opts: { out?: string; force?: boolean }, cmd: Command) => {
        const profileGiven = cmd.parent?.getOptionValueSource("profile") !== "default";
        const out = opts.out === undefined ? undefined : resolve(opts.out);
        if (out === undefined && process.stdout.isTTY) {
          throw new UsageError(
            "Not writing a bundle to the terminal.",
            "Give --out FILE, or redirect stdout: apikey export > keys.apikey",
          );
        }
        if (out !== undefined && !opts.force && existsSync(out)) {
          throw new UsageError(`${out} already exists.`, "Pick another file, or pass --force to replace it.");
        }
        const passphrase = await newBundlePassphrase(ctx.config.exportPassphrase);
        const result = await (await ctx.app()).bundles.export({
          passphrase,
          ...(profileGiven && { profile: ctx.profile }),
        });
        if (out === undefined) {
          process.stdout.write(result.text);
          ctx.out.note(`Exported ${plural(result.keys, "key")}.`);
        } else {
          await writePrivateFile(out, result.text, opts.force === true);
          ctx.out.result(
            { file: out, keys: result.keys, profiles: result.profiles, skipped: result.skipped },
            () =>
              [
                `Exported ${plural(result.keys, "key")} from ${plural(result.profiles.length, "profile")} to ${out}.`,
                ...result.skipped.map((s) => `  skipped ${s.name} (${s.profile}): ${s.detail}`),
                "Keep the passphrase somewhere else than the file.",
              ].join("\n"),
          );
        }
      }),
    );

  program
    .command("import [file]")
    .description(
      "import an encrypted bundle from `apikey export`, or keys from another tool with --from opencode|dotenv|env",
    )
    .option(
      "--from <source>",
      "opencode [FILE] | dotenv FILE | env | anthropic-profiles [PROFILE]: move keys in from another tool",
    )
    .option("--name <name>", "with --from: the name for the imported key (default: derived from the source)")
    .option("--dry-run", "show what would change; write nothing")
    .option("--validate", "with --from: check each key against the Anthropic API first (default: no)")
    .option("--no-validate", "with --from: store keys without checking them (the default)")
    .option(
      "--remove-plaintext",
      "with --from anthropic-profiles: delete a user_oauth profile's plaintext credentials file once stored",
    )
    .action(
      action(
        async (
          ctx,
          file: string | undefined,
          opts: {
            from?: string;
            name?: string;
            dryRun?: boolean;
            validate?: boolean;
            removePlaintext?: boolean;
          },
          cmd: Command,
        ) => {
          const profileGiven = cmd.parent?.getOptionValueSource("profile") !== "default";
          const progress = progressLine(ctx);
          let report: ImportReport;
          if (opts.removePlaintext && opts.from !== "anthropic-profiles")
            throw new UsageError("--remove-plaintext goes with --from anthropic-profiles only.");
          if (opts.from === undefined) {
            if (file === undefined) {
              throw new UsageError(
                "Which bundle? apikey import FILE",
                "To move in from another tool: --from opencode|dotenv|env.",
              );
            }
            if (profileGiven || opts.name !== undefined) {
              throw new UsageError(
                "A bundle's keys keep their own names and profiles.",
                "--profile and --name apply to --from imports only.",
              );
            }
            const text = await readBundleFile(file);
            // Opened and checked before the store is: a wrong passphrase or a damaged file touches nothing.
            const content = await readBundle(text, await bundlePassphrase(ctx.config.exportPassphrase));
            report = await (await ctx.app()).bundles.import({
              bundle: content,
              dryRun: opts.dryRun === true,
              onProgress: progress.update,
            });
          } else if (opts.from === "anthropic-profiles") {
            return importAnthropicProfile(ctx, file, opts);
          } else {
            const from = parseSource(opts.from);
            const scan = await scanSource({
              from,
              path: file,
              env: process.env,
              name: opts.name,
              profile: ctx.profile,
              envApiKey: ctx.config.envApiKey,
            });
            report = await (await ctx.app()).importScanned(scan, {
              from,
              profile: ctx.profile,
              dryRun: opts.dryRun === true,
              validate: opts.validate === true,
              onProgress: progress.update,
            });
          }
          progress.done();
          ctx.out.result(report, () => describeReport(report));
        },
      ),
    );
}

function parseSource(value: string): ImportSource {
  const found = IMPORT_SOURCES.find((s) => s === value);
  if (!found) {
    throw new UsageError(`Unknown source for --from.`, `Use one of: ${IMPORT_SOURCES.join(", ")}.`);
  }
  return found;
}

async function newBundlePassphrase(fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw noPassphrase();
  const first = await askHidden("Passphrase for the bundle (12+ characters)");
  checkExportPassphrase(first);
  const second = await askHidden("Repeat the passphrase");
  if (first !== second) {
    throw new UsageError("The passphrases did not match.", "Nothing was exported. Run the command again.");
  }
  return first;
}

async function bundlePassphrase(fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw noPassphrase();
  return askHidden("Passphrase of the bundle");
}

function noPassphrase(): UsageError {
  return new UsageError(
    "No bundle passphrase: there is no terminal to ask on.",
    `Set ${PASSPHRASE_ENV}, or run the command on a terminal.`,
  );
}

/** Bundles are a few KiB per key; past this a file is not one of ours (and is not read into memory whole). */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

async function readBundleFile(file: string): Promise<string> {
  try {
    if ((await stat(file)).size > MAX_BUNDLE_BYTES) {
      throw new ApikeyError(ERROR_CODES.BUNDLE_FORMAT, "That file is too large to be an apikey bundle.");
    }
    return await readFile(file, "utf8");
  } catch (cause) {
    if (cause instanceof ApikeyError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ApikeyError(
      ERROR_CODES.IMPORT_SOURCE,
      `${resolve(file)} ${code === "ENOENT" ? "does not exist" : "cannot be read"}.`,
      { hint: "Check the path and its permissions.", cause },
    );
  }
}

/**
 * Creates the file 0600 without ever exposing a partial or looser one: a new file is opened with `wx` (refusing to
 * follow or replace anything that appeared meanwhile); --force writes a 0600 temp file beside it and renames.
 */
async function writePrivateFile(path: string, text: string, replace: boolean): Promise<void> {
  const target = replace ? join(dirname(path), `.${randomBytes(6).toString("hex")}.apikey-tmp`) : path;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(target, "wx", 0o600);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new UsageError(`${path} already exists.`, "Pass --force to replace it.");
    throw new ApikeyError(ERROR_CODES.USAGE, `Cannot write ${path}.`, {
      hint: "Check the directory exists and you may write there.",
      cause,
    });
  }
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(target, { force: true });
    throw err;
  }
  await handle.close();
  if (replace) await rename(target, path);
}

/** `\r[########        ] 120/500` on stderr, for large imports on a terminal only. */
function progressLine(ctx: Context): { update: (p: ImportProgress) => void; done: () => void } {
  const enabled = process.stderr.isTTY === true && !ctx.out.json;
  let drawn = false;
  return {
    update: (p) => {
      if (!enabled || p.total <= PROGRESS_FROM) return;
      const width = 30;
      const filled = Math.round((p.done / p.total) * width);
      const label = p.phase === "validate" ? "checking" : "writing";
      process.stderr.write(
        `\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${p.done}/${p.total}`,
      );
      drawn = true;
    },
    done: () => {
      if (drawn) process.stderr.write("\n");
    },
  };
}

function describeReport(r: ImportReport): string {
  const verb = r.dryRun ? "Would import" : "Imported";
  const lines = [
    `${verb} ${plural(r.added.length, "key")}${r.skipped.length ? `; ${r.skipped.length} skipped` : ""}.${r.dryRun ? " (dry run: nothing was written)" : ""}`,
    ...r.added.map((a) => `  + ${a.name} (${a.profile}) ${a.masked}`),
    ...r.skipped.map((s) => `  - ${s.name}${s.profile ? ` (${s.profile})` : ""}: ${s.reason}: ${s.detail}`),
  ];
  if (r.profilesCreated.length) {
    lines.push(`${r.dryRun ? "Would create" : "Created"} profile(s): ${r.profilesCreated.join(", ")}`);
  }
  for (const a of r.activated)
    lines.push(`Profile ${a.profile} ${r.dryRun ? "would use" : "now uses"} ${a.name}.`);
  return lines.join("\n");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
