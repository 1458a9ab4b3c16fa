// Vendored from packages/core/src/key-shapes.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyKind } from "./domain.ts";

// The one home of what an Anthropic credential looks like. Two rules live here and nowhere else:
// - strict: the exact shape of each kind (recogniseKey accepts it, `scan` reports it);
// - loose: anything a person meant as a credential, even truncated or mistyped (refused where a key must never be,
//   redacted from what is printed or logged; loose-keys.ts applies it after folding look-alike spellings).
// Every other pattern is derived from these; a guard test refuses a `sk-ant-` regex written anywhere else.

/** What every Anthropic credential starts with. */
export const KEY_PREFIX = "sk-ant-";
/** The characters a key's body is made of (a regex class body). */
export const KEY_CHARS = "A-Za-z0-9_-";
/** An OAuth refresh token: a credential too, but never one apikey accepts as a key. */
export const REFRESH_TOKEN_PREFIX = `${KEY_PREFIX}ort01-`;

export interface KeyShape {
  kind: KeyKind;
  prefix: string;
  /** Body length range, before `end`. */
  min: number;
  max: number;
  /** Fixed characters the key ends with. */
  end: string;
}

export const KEY_SHAPES: readonly KeyShape[] = [
  { kind: "api", prefix: `${KEY_PREFIX}api03-`, min: 93, max: 93, end: "AA" },
  { kind: "admin", prefix: `${KEY_PREFIX}admin01-`, min: 93, max: 93, end: "AA" },
  { kind: "oauth", prefix: `${KEY_PREFIX}oat01-`, min: 40, max: 300, end: "" },
];

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
const source = (s: KeyShape) =>
  `${escapeRegex(s.prefix)}[${KEY_CHARS}]{${s.min}${s.min === s.max ? "" : `,${s.max}`}}${escapeRegex(s.end)}`;
const EXACT = KEY_SHAPES.map((s) => ({ shape: s, exact: new RegExp(`^${source(s)}$`) }));

/** The shape `secret` has exactly, or null. No trimming: callers decide what whitespace they forgive. */
export function exactShapeOf(secret: string): KeyShape | null {
  return EXACT.find((e) => e.exact.test(secret))?.shape ?? null;
}

/** The shape whose prefix `text` starts with (well-formed or not), or null. */
export const shapeByPrefix = (text: string): KeyShape | null =>
  KEY_SHAPES.find((s) => text.startsWith(s.prefix)) ?? null;

/**
 * Well-formed keys anywhere in text (global). A match must not continue into more key characters on either side,
 * so a longer or shorter look-alike is not reported.
 */
export const KEY_IN_TEXT = new RegExp(
  `(?<![${KEY_CHARS}])(?:${KEY_SHAPES.map(source).join("|")})(?![${KEY_CHARS}])`,
  "g",
);

/** The longest match KEY_IN_TEXT can make: a streaming search keeps this much between chunks. */
export const LONGEST_KEY = Math.max(...KEY_SHAPES.map((s) => s.prefix.length + s.max + s.end.length));

/**
 * Loose, on text already folded by loose-keys.ts: the prefix followed by a kind and version (`api03-`, `admin01-`,
 * `oat01-`, `ort01-`, a mistyped `api3-`: even a truncated key is a leak) or by a long run of key characters.
 */
export const KEY_LIKE = new RegExp(`${escapeRegex(KEY_PREFIX)}(?:[a-z]+\\d+-|[a-z0-9_-]{20,})`, "i");

/** The prefix spelled case-insensitively, for finding where a loose match starts in folded text. */
export const KEY_PREFIX_ANY_CASE = new RegExp(escapeRegex(KEY_PREFIX), "gi");
