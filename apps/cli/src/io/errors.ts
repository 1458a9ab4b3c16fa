import { ApikeyError, ERROR_CODES, type ErrorCode } from "@apikey/core/errors";
import { escapeControl } from "./escape.ts";
import { cliHint } from "./hints.ts";

// The one place the CLI turns an error into output and an exit code.

export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  UNVERIFIED: 3,
  /** exec: the command exists but cannot be run (as shells answer). */
  CANNOT_EXECUTE: 126,
  /** exec: no such command (as shells answer). */
  COMMAND_NOT_FOUND: 127,
} as const;

/** What each status means: the one text the help topic and the generated reference both print. */
export const EXIT_MEANING: Record<keyof typeof EXIT, string> = {
  OK: "success",
  FAILURE: "failure: the message and its code say which (`E_KEY_NOT_FOUND`, `E_WRONG_MASTER_KEY`, …)",
  USAGE:
    "usage error: an unknown command or option, a missing or invalid argument (`E_USAGE`, `E_NAME_INVALID`)",
  UNVERIFIED:
    "`add`/`validate`: the key could not be checked (offline, timeout, 5xx/529); `add` stored it unverified",
  COMMAND_NOT_FOUND: "`exec`: the command does not exist (as shells answer)",
  CANNOT_EXECUTE: "`exec`: the command exists but cannot be run (as shells answer)",
};

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set([ERROR_CODES.USAGE, ERROR_CODES.NAME_INVALID]);

export class UsageError extends ApikeyError {
  constructor(message: string, hint?: string) {
    super(ERROR_CODES.USAGE, message, hint === undefined ? {} : { hint });
  }
}

export function renderError(err: unknown, json: boolean): number {
  const e = toApikeyError(err);
  // Messages may quote an argument (a name, a path): escaped here, for both forms, so none can steer a terminal.
  const message = escapeControl(e.message);
  const text = cliHint(e);
  const hint = text === undefined ? null : escapeControl(text);
  if (json) {
    process.stderr.write(`${JSON.stringify({ error: { code: e.code, message, hint } })}\n`);
  } else {
    process.stderr.write(`apikey: ${message}\n`);
    if (hint) process.stderr.write(`  ${hint}\n`);
    if (e.code === ERROR_CODES.INTERNAL && process.env.APIKEY_DEBUG) {
      process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    }
  }
  return exitCodeFor(e.code);
}

/** The exit status an error code ends apikey with (`apikey help exit-codes` lists them). */
export function exitCodeFor(code: ErrorCode): number {
  if (code === ERROR_CODES.COMMAND_NOT_FOUND) return EXIT.COMMAND_NOT_FOUND;
  if (code === ERROR_CODES.COMMAND_NOT_EXECUTABLE) return EXIT.CANNOT_EXECUTE;
  return USAGE_CODES.has(code) ? EXIT.USAGE : EXIT.FAILURE;
}

function toApikeyError(err: unknown): ApikeyError {
  if (err instanceof ApikeyError) return err;
  // Anything unexpected: say so without its message, which could carry data we never meant to print.
  return new ApikeyError(ERROR_CODES.INTERNAL, "Unexpected internal error.", {
    hint: "Run again with APIKEY_DEBUG=1 for details, and please report it.",
    cause: err,
  });
}
