// Vendored from packages/core/src/federation/identity-token.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { readFile } from "node:fs/promises";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { jwtExpiry } from "./identity-renewal.ts";
import { fetchGitHubActionsToken, runTokenCommand } from "./identity-sources.ts";
import type { IdentityTokenSource } from "./settings.ts";

// Reads the workload's identity token at each exchange — a projected token file rotates under us, so it is never
// kept — and refuses, with a coded error and before anything is sent, what the token endpoint would refuse anyway:
// an empty, oversized or already expired token. The token itself never appears in an error.

/** The token endpoint's limit on the assertion (Anthropic's WIF reference). */
export const MAX_ASSERTION_BYTES = 16 * 1024;

export type ReadVariable = (name: string) => string | undefined;

function refused(reason: string, message: string, hint: string, where: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.IDENTITY_TOKEN, message, { hint, details: { reason, source: where } });
}

/** What the command and GitHub sources need from the caller: the environment a command gets, and fetch. */
export interface SourceIo {
  childEnv?: () => Record<string, string>;
  fetch?: typeof fetch;
}

function describe(source: IdentityTokenSource): { where: string; renew: string } {
  switch (source.source) {
    case "file":
      return {
        where: `file ${source.path}`,
        renew: "Check that the workload's token file is mounted and readable (its issuer renews it).",
      };
    case "env":
      return {
        where: `variable ${source.name}`,
        renew: `Set ${source.name} to the workload's current identity token.`,
      };
    case "command":
      return { where: `command ${source.argv[0]}`, renew: `Check what ${source.argv[0]} prints.` };
    case "github-actions":
      return { where: "GitHub Actions", renew: "Run in a job with `permissions: id-token: write`." };
  }
}

async function readRaw(
  source: IdentityTokenSource,
  readVariable: ReadVariable,
  io: SourceIo,
): Promise<string> {
  const { where, renew } = describe(source);
  switch (source.source) {
    case "file":
      try {
        return await readFile(source.path, "utf8");
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "error";
        throw refused("unreadable", `The identity token file cannot be read (${code}).`, renew, where);
      }
    case "env":
      return readVariable(source.name) ?? "";
    case "command":
      return runTokenCommand(source.argv, io.childEnv?.() ?? {});
    case "github-actions":
      return fetchGitHubActionsToken(readVariable, source.audience, io.fetch);
  }
}

export function identityTokenReader(
  source: IdentityTokenSource,
  readVariable: ReadVariable,
  now: () => number = Date.now,
  io: SourceIo = {},
): () => Promise<string> {
  const { where, renew } = describe(source);
  return async () => {
    const jwt = (await readRaw(source, readVariable, io)).trim();
    if (jwt === "") throw refused("empty", `The identity token (${where}) is empty or unset.`, renew, where);
    if (Buffer.byteLength(jwt) > MAX_ASSERTION_BYTES)
      throw refused(
        "too_large",
        `The identity token (${where}) is over 16 KiB, the token endpoint's limit.`,
        "Ask the identity provider for a token with fewer claims.",
        where,
      );
    const exp = jwtExpiry(jwt);
    if (exp !== null && exp * 1000 <= now())
      throw refused("expired", `The identity token (${where}) has expired.`, renew, where);
    return jwt;
  };
}
