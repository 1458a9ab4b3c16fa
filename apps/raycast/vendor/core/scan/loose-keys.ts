// Vendored from packages/core/src/scan/loose-keys.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Whether text holds something a person meant as an Anthropic credential, however it was typed or pasted. Where a
// key must never be (a chat command, a name field) a look-alike is a leak too: `sk-ant- api03-…` with a space, a
// zero-width character after `sk-ant-`, fullwidth `ｓｋ－ａｎｔ`, a line break inside. So the text is normalised
// first, and the match is looser than `findKeysInText` (which reports only well-formed keys, for `scan`).

// Invisible or layout-only characters a paste can carry inside a key: format characters (zero-width space and
// joiners U+200B–U+200D, word joiner U+2060, BOM U+FEFF, soft hyphen U+00AD, bidi marks), controls, combining
// marks and every kind of whitespace (line breaks included).
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Mn}\p{Me}\s]/gu;
// Every dash-like character reads as the key's `-` (NFKC already folds the fullwidth and small hyphen-minus).
const DASHES = /[\p{Pd}\u2212\u2043\u2796]/gu;
// Letters of `sk-ant` that other scripts draw identically (Cyrillic, Greek); NFKC leaves them as they are.
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  ѕ: "s",
  Ѕ: "S",
  к: "k",
  К: "K",
  κ: "k",
  Κ: "K",
  а: "a",
  А: "A",
  α: "a",
  Α: "A",
  т: "t",
  Т: "T",
  τ: "t",
  Τ: "T",
  ո: "n",
  Ν: "N",
};
const LOOK_ALIKE = new RegExp(`[${Object.keys(LOOK_ALIKES).join("")}]`, "gu");

// A credential's prefix followed by either a kind and version (`api03-`, `admin01-`, `oat01-`, `ort01-`: even a
// truncated key is a leak) or a long run of key characters (a mistyped kind).
const KEY_LIKE = /sk-ant-(?:[a-z]{2,10}\d{2}-|[a-z0-9_-]{20,})/i;

/** The text as the key search sees it: NFKC, look-alikes and dashes folded, invisible characters and spaces gone. */
export function normaliseForKeySearch(text: string): string {
  return text
    .normalize("NFKC")
    .replace(INVISIBLE, "")
    .replace(DASHES, "-")
    .replace(LOOK_ALIKE, (c) => LOOK_ALIKES[c] ?? c);
}

/** True when the text holds something shaped like an Anthropic credential once normalised (see above). */
export function holdsKeyLikeText(text: string): boolean {
  return KEY_LIKE.test(normaliseForKeySearch(text));
}
