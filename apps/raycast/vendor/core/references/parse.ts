// Vendored from packages/core/src/references/parse.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { isValidNameShape } from "../vault/names.ts";

// `apikey://PROFILE/NAME` names one stored key; `apikey://PROFILE` names that profile's active key. A reference is
// what a committed .env file or a config template holds instead of the key itself.

export const REFERENCE_SCHEME = "apikey://";

export interface Reference {
  /** The reference as written, e.g. `apikey://work/ci` (only ever a valid one, so safe to print). */
  text: string;
  profile: string;
  /** Absent: the profile's active key. */
  name?: string;
}

/** True when the whole value is meant as a reference (valid or not). */
export const isReferenceLike = (value: string): boolean => value.trim().startsWith(REFERENCE_SCHEME);

/**
 * Parses a value that starts with `apikey://`. Throws E_REFERENCE_INVALID for a malformed one without echoing it:
 * a mistyped reference may hold anything, a pasted key included.
 */
export function parseReference(value: string): Reference {
  const text = value.trim();
  if (!text.startsWith(REFERENCE_SCHEME)) throw invalid("it does not start with apikey://");
  const parts = text.slice(REFERENCE_SCHEME.length).split("/");
  if (parts.length > 2) throw invalid("it has more than PROFILE/NAME");
  const [profile = "", name] = parts;
  if (!isValidNameShape(profile)) throw invalid("the profile is not a valid name");
  if (name !== undefined && !isValidNameShape(name)) throw invalid("the key name is not a valid name");
  return name === undefined ? { text, profile } : { text, profile, name };
}

/** Every `apikey://…` reference in a text (a template), with where it starts; names end at the first other char. */
export function findReferences(text: string): Array<{ index: number; length: number }> {
  const found: Array<{ index: number; length: number }> = [];
  for (const m of text.matchAll(/apikey:\/\/[A-Za-z0-9._-]*(?:\/[A-Za-z0-9._-]*)?/g)) {
    found.push({ index: m.index ?? 0, length: m[0].length });
  }
  return found;
}

function invalid(why: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.REFERENCE_INVALID, `That is not a valid apikey:// reference: ${why}.`, {
    hint: "Write apikey://PROFILE/NAME for a stored key, or apikey://PROFILE for that profile's active key.",
    details: { why },
  });
}
