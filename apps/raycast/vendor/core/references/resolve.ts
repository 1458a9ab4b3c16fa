// Vendored from packages/core/src/references/resolve.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES, isApikeyError } from "../errors.ts";
import { parseReference, type Reference } from "./parse.ts";

// Resolves references through the front API's own calls, so every secret handed out is audited like any reveal.

export interface ReferenceResolver {
  get(name: string, profile: string): Promise<{ status: string }>;
  reveal(name: string, profile: string, reason: string): Promise<string>;
  active(profile: string): Promise<{ secret: string }>;
}

export interface Resolved {
  reference: Reference;
  secret: string;
}

/** One reference's secret. A failure keeps its code (E_KEY_NOT_FOUND, E_PROFILE_NOT_FOUND…) and names the reference. */
export async function resolveReference(app: ReferenceResolver, value: string): Promise<Resolved> {
  const reference = parseReference(value);
  try {
    if (
      reference.name !== undefined &&
      (await app.get(reference.name, reference.profile)).status === "disabled"
    ) {
      // Disabling a key stops `current` handing it out; a reference must not be a way around that.
      throw new ApikeyError(ERROR_CODES.KEY_DISABLED, `The key "${reference.name}" is disabled.`, {
        hint: "Enable it, or point the reference at another key.",
        details: { name: reference.name, profile: reference.profile },
      });
    }
    const secret =
      reference.name === undefined
        ? (await app.active(reference.profile)).secret
        : await app.reveal(reference.name, reference.profile, "reference");
    return { reference, secret };
  } catch (err) {
    if (!isApikeyError(err)) throw err;
    throw new ApikeyError(err.code, `${reference.text} cannot be resolved: ${err.message}`, {
      ...(err.hint !== undefined && { hint: err.hint }),
      cause: err,
      details: { ...err.details, reference: reference.text },
    });
  }
}

/**
 * Resolves each distinct reference once. Returns the secret for each input value, in order. Stops at the first that
 * fails, before anything uses a secret.
 */
export async function resolveAll(
  app: ReferenceResolver,
  values: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const value of values) {
    const key = value.trim();
    if (out.has(key)) continue;
    out.set(key, (await resolveReference(app, key)).secret);
  }
  return out;
}
