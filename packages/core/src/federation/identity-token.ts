import { readFile } from "node:fs/promises";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
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

export function identityTokenReader(
  source: IdentityTokenSource,
  readVariable: ReadVariable,
  now: () => number = Date.now,
): () => Promise<string> {
  const where = source.source === "file" ? `file ${source.path}` : `variable ${source.name}`;
  const renew =
    source.source === "file"
      ? "Check that the workload's token file is mounted and readable (its issuer renews it)."
      : `Set ${source.name} to the workload's current identity token.`;
  return async () => {
    let jwt: string;
    if (source.source === "file") {
      try {
        jwt = (await readFile(source.path, "utf8")).trim();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "error";
        throw refused("unreadable", `The identity token file cannot be read (${code}).`, renew, where);
      }
    } else {
      jwt = readVariable(source.name)?.trim() ?? "";
    }
    if (jwt === "") throw refused("empty", `The identity token (${where}) is empty or unset.`, renew, where);
    if (Buffer.byteLength(jwt) > MAX_ASSERTION_BYTES)
      throw refused(
        "too_large",
        `The identity token (${where}) is over 16 KiB, the token endpoint's limit.`,
        "Ask the identity provider for a token with fewer claims.",
        where,
      );
    const exp = expiryOf(jwt);
    if (exp !== null && exp * 1000 <= now())
      throw refused("expired", `The identity token (${where}) has expired.`, renew, where);
    return jwt;
  };
}

/** The JWT's `exp` (seconds), or null when it has none or is not a JWT (the endpoint then decides). */
function expiryOf(jwt: string): number | null {
  const payload = jwt.split(".")[1];
  if (payload === undefined) return null;
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp : null;
  } catch {
    return null;
  }
}
