// Vendored from packages/core/src/federation/identity-sources.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { httpFetch } from "../net/http-fetch.ts";
import { isLoopbackHost } from "../validate/loopback-host.ts";

// The identity token sources the SDK has no provider for (it reads a file or ANTHROPIC_IDENTITY_TOKEN only):
//
// - a command (`--identity-token-command "gcloud auth print-identity-token --audiences=…"`), run WITHOUT a shell. The
//   command is stored in the key and run again at every exchange, by whatever process uses the key (the gateway,
//   for hours): with a shell, the stored string would be a script whose meaning depends on that process's shell and
//   environment; without one, what was checked at `add` is exactly what runs. Someone who needs a pipe says so
//   (`sh -c '…'`). Its stdout, trimmed, is the JWT; its stderr is never shown (a failing token tool may print the
//   token or its own credentials there) — only the exit status is. It gets the caller's environment minus anything
//   that unlocks the store (child-env.ts), and a timeout.
// - GitHub Actions' OIDC request: a job with `permissions: id-token: write` gets ACTIONS_ID_TOKEN_REQUEST_URL and
//   ACTIONS_ID_TOKEN_REQUEST_TOKEN; `GET <url>&audience=<aud>` with `Authorization: bearer <request token>` answers
//   `{"value": "<JWT>"}` (GitHub's "OpenID Connect" docs; actions/toolkit `getIDToken`). Read at each exchange:
//   the tokens GitHub issues live minutes.

/** Reads one variable of the caller's environment (identity-token.ts passes the same reader). */
type ReadVariable = (name: string) => string | undefined;

export const COMMAND_TIMEOUT_MS = 10_000;
/** Over the 16 KiB assertion limit, so an oversized token is reported as such rather than cut. */
const MAX_OUTPUT_BYTES = 64 * 1024;
export const GITHUB_URL_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_URL";
export const GITHUB_TOKEN_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

export function identitySourceError(
  reason: string,
  message: string,
  hint: string,
  where: string,
): ApikeyError {
  return new ApikeyError(ERROR_CODES.IDENTITY_TOKEN, message, { hint, details: { reason, source: where } });
}

/** Runs the command (argv, no shell) and answers its stdout; a failure names the program and the exit, nothing else. */
export function runTokenCommand(
  argv: readonly string[],
  env: Record<string, string>,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<string> {
  const [program, ...args] = argv as [string, ...string[]];
  const where = `command ${program}`;
  const hint = `Run the command yourself to see why (${program}); apikey does not show its error output, which may hold credentials.`;
  return new Promise((resolve, reject) => {
    // Fetched when a command source runs, not imported: listing keys loads this module, and child_process costs
    // every CLI start a few milliseconds (issue 25).
    process
      .getBuiltinModule("node:child_process")
      .execFile(
        program,
        args,
        { env, timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: "utf8" },
        (err, stdout) => {
          if (!err) return resolve(stdout);
          const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
          const how =
            e.code === "ENOENT"
              ? "was not found"
              : e.killed && e.signal
                ? `did not finish within ${timeoutMs / 1000} s`
                : e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER"
                  ? "printed more than an identity token can be"
                  : `failed (exit ${typeof e.code === "number" ? e.code : "?"})`;
          reject(identitySourceError("command_failed", `The identity token command ${how}.`, hint, where));
        },
      );
  });
}

/** One identity token from GitHub Actions' OIDC endpoint. */
export async function fetchGitHubActionsToken(
  readVariable: ReadVariable,
  audience: string | null,
  fetchImpl: typeof fetch = httpFetch,
): Promise<string> {
  const where = "GitHub Actions";
  const requestUrl = readVariable(GITHUB_URL_VARIABLE);
  const requestToken = readVariable(GITHUB_TOKEN_VARIABLE);
  if (!requestUrl || !requestToken)
    throw identitySourceError(
      "unset",
      `${GITHUB_URL_VARIABLE} and ${GITHUB_TOKEN_VARIABLE} are not set.`,
      "Run in a GitHub Actions job with `permissions: id-token: write`.",
      where,
    );
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    throw identitySourceError(
      "unset",
      `${GITHUB_URL_VARIABLE} is not a URL.`,
      "Check the job's environment.",
      where,
    );
  }
  // The request token is a credential: https only (plain http to this machine, for the tests' stand-in).
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname)))
    throw identitySourceError(
      "insecure",
      `${GITHUB_URL_VARIABLE} is not https.`,
      "Check the job's environment.",
      where,
    );
  if (audience !== null) url.searchParams.set("audience", audience);
  let res: Response;
  try {
    res = await fetchImpl(url, {
      headers: { authorization: `bearer ${requestToken}`, accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
    });
  } catch {
    throw identitySourceError(
      "unreachable",
      "GitHub's OIDC endpoint could not be reached.",
      "Try again.",
      where,
    );
  }
  const text = await res.text().catch(() => "");
  const value = res.ok && text.length <= MAX_OUTPUT_BYTES ? tokenValueIn(text) : null;
  if (value === null)
    throw identitySourceError(
      "refused",
      `GitHub's OIDC endpoint answered HTTP ${res.status} without a token.`,
      "Check that the job has `permissions: id-token: write`.",
      where,
    );
  return value;
}

function tokenValueIn(text: string): string | null {
  try {
    const v = (JSON.parse(text) as { value?: unknown }).value;
    return typeof v === "string" && v !== "" ? v : null;
  } catch {
    return null;
  }
}

/**
 * A `--identity-token-command` string as argv: words split on blanks, '…' and "…" quoting and backslash escapes as a
 * shell would, and anything only a shell would act on (| & ; < > $ ` and newlines) refused — there is no shell.
 * Null when it cannot be split that way.
 */
export function commandWords(text: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === " " || c === "\t") {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return null;
      const inner = text.slice(i + 1, end);
      if (c === '"' && /[$`\\]/.test(inner)) return null;
      word = (word ?? "") + inner;
      i = end;
    } else if (c === "\\") {
      if (i + 1 >= text.length) return null;
      word = (word ?? "") + text[++i];
    } else if (/[|&;<>$`\n\r(){}*?]/.test(c)) return null;
    else word = (word ?? "") + c;
  }
  if (word !== null) words.push(word);
  return words.length > 0 ? words : null;
}
