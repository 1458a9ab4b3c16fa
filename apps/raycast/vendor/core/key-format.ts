// Vendored from packages/core/src/key-format.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyKind } from "./domain.ts";
import { ApikeyError, ERROR_CODES } from "./errors.ts";
import { exactShapeOf, KEY_CHARS, REFRESH_TOKEN_PREFIX, shapeByPrefix } from "./key-shapes.ts";

// Anthropic credentials, recognised by the shapes key-shapes.ts defines. We never echo the input back.
const FOREIGN_CHAR = new RegExp(`[^${KEY_CHARS}]`);

const SHAPE_HELP =
  "An Anthropic API key starts with sk-ant-api03- and is 108 characters long; " +
  "an Admin key starts with sk-ant-admin01- (110); an OAuth access token starts with sk-ant-oat01-.";

export interface RecognisedKey {
  kind: KeyKind;
  /** The secret with surrounding whitespace removed. */
  secret: string;
}

/** Throws E_KEY_EMPTY / E_KEY_FORMAT. Surrounding whitespace (a pasted newline) is forgiven. */
export function recogniseKey(input: string): RecognisedKey {
  const secret = input.trim();
  if (secret.length === 0) {
    throw new ApikeyError(ERROR_CODES.KEY_EMPTY, "No key was given.", {
      hint: "Check you copied the whole key.",
    });
  }
  const shape = exactShapeOf(secret);
  if (shape) return { kind: shape.kind, secret };
  throw new ApikeyError(
    ERROR_CODES.KEY_FORMAT,
    `That does not look like an Anthropic key (${describe(secret)}).`,
    {
      hint: SHAPE_HELP,
    },
  );
}

export function isRecognisedKey(input: string): boolean {
  try {
    recogniseKey(input);
    return true;
  } catch {
    return false;
  }
}

// Says what is wrong in terms that reveal nothing of the secret beyond its length and a public prefix.
function describe(secret: string): string {
  if (/\s/.test(secret)) return "it contains whitespace";
  if (secret.startsWith(REFRESH_TOKEN_PREFIX))
    return "it is an OAuth refresh token, not an access token or API key";
  const shape = shapeByPrefix(secret);
  if (!shape) return `unknown prefix, ${secret.length} characters`;
  if (FOREIGN_CHAR.test(secret.slice(shape.prefix.length))) return "it contains characters keys never have";
  return `${shape.prefix} prefix but ${secret.length} characters`;
}

/** `sk-ant-api03-…wxyz`: the public prefix and the last four characters. */
export function maskKey(secret: string): string {
  const prefix = shapeByPrefix(secret)?.prefix ?? secret.slice(0, 3);
  return `${prefix}…${secret.slice(-4)}`;
}
