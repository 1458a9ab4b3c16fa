// Vendored from packages/core/src/key-format.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyKind } from "./domain.ts";
import { ApikeyError, ERROR_CODES } from "./errors.ts";

// Structure of Anthropic credentials. We recognise by prefix and shape and never echo the input back.
const SHAPES: ReadonlyArray<{ kind: KeyKind; prefix: string; body: RegExp }> = [
  { kind: "api", prefix: "sk-ant-api03-", body: /^[A-Za-z0-9_-]{93}AA$/ },
  { kind: "admin", prefix: "sk-ant-admin01-", body: /^[A-Za-z0-9_-]{93}AA$/ },
  { kind: "oauth", prefix: "sk-ant-oat01-", body: /^[A-Za-z0-9_-]{40,300}$/ },
];

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
  for (const shape of SHAPES) {
    if (secret.startsWith(shape.prefix) && shape.body.test(secret.slice(shape.prefix.length))) {
      return { kind: shape.kind, secret };
    }
  }
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
  if (secret.startsWith("sk-ant-ort01-"))
    return "it is an OAuth refresh token, not an access token or API key";
  const shape = SHAPES.find((s) => secret.startsWith(s.prefix));
  if (!shape) return `unknown prefix, ${secret.length} characters`;
  if (/[^A-Za-z0-9_-]/.test(secret.slice(shape.prefix.length)))
    return "it contains characters keys never have";
  return `${shape.prefix} prefix but ${secret.length} characters`;
}

/** `sk-ant-api03-…wxyz`: the public prefix and the last four characters. */
export function maskKey(secret: string): string {
  const shape = SHAPES.find((s) => secret.startsWith(s.prefix));
  const prefix = shape ? shape.prefix : secret.slice(0, 3);
  return `${prefix}…${secret.slice(-4)}`;
}

/** Anything that starts like an Anthropic credential, well-formed or not: for refusing it where text goes. */
export function looksLikeKey(text: string): boolean {
  return /sk-ant-[a-z]+\d{2}-/i.test(text);
}
