// Vendored from packages/core/src/scan/loose-keys.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { KEY_LIKE, KEY_PREFIX } from "../key-shapes.ts";

// Whether text holds something a person meant as an Anthropic credential, however it was typed or pasted. Where a
// key must never be (a chat command, a name field) a look-alike is a leak too: `sk-ant- api03-…` with a space, a
// zero-width character after `sk-ant-`, fullwidth `ｓｋ－ａｎｔ`, a line break inside. So the text is normalised
// first, and the match is looser than `findKeysInText` (which reports only well-formed keys, for `scan`).

// Invisible or layout-only characters a paste can carry inside a key: format characters (zero-width space and
// joiners U+200B–U+200D, word joiner U+2060, BOM U+FEFF, soft hyphen U+00AD, bidi marks), controls and combining
// marks. Whitespace (line breaks included) is folded to one space first, then dropped by the detector.
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Mn}\p{Me}]/gu;
const WHITESPACE = /\s/gu;
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
const PLAIN_ASCII = /^[\x21-\x7e]$/;

/** One character as the key search reads it: "" (invisible), " " (any whitespace) or its folded letters. */
function foldChar(c: string): string {
  if (PLAIN_ASCII.test(c)) return c;
  return c
    .normalize("NFKC")
    .replace(WHITESPACE, " ")
    .replace(INVISIBLE, "")
    .replace(DASHES, "-")
    .replace(LOOK_ALIKE, (l) => LOOK_ALIKES[l] ?? l);
}

/** Folded text, its whitespace removed, with where each of its characters came from in the original. */
export interface FoldedText {
  /** What the detector reads: folded, no whitespace. */
  text: string;
  /** For each character of `text`: its original's [start, end) in code units. */
  from: Array<[number, number]>;
  /** For each character of `text`: whitespace came between it and the previous one. */
  spaced: boolean[];
}

// A JSON or JavaScript escape (`\n`, `\u200b`) where a log line holds a serialised value: read as the character.
const ESCAPE = /\\(?:[nrt]|u[0-9a-fA-F]{4})/y;
const unescaped = (e: string): string =>
  e[1] === "u" ? String.fromCharCode(Number.parseInt(e.slice(2), 16)) : " ";

/**
 * Folds character by character (so each folded character knows its original): NFKC, look-alikes and dashes
 * folded, invisible characters and whitespace gone. With `escapes`, `\n` and `\uXXXX` are read as what they stand
 * for (redacting a serialised value).
 */
export function foldForKeySearch(text: string, options: { escapes?: boolean } = {}): FoldedText {
  const out: FoldedText = { text: "", from: [], spaced: [] };
  let space = false;
  for (let at = 0; at < text.length; ) {
    let c = String.fromCodePoint(text.codePointAt(at) ?? 0);
    let length = c.length;
    if (options.escapes && c === "\\") {
      ESCAPE.lastIndex = at;
      const sequence = ESCAPE.exec(text)?.[0];
      if (sequence) {
        c = unescaped(sequence);
        length = sequence.length;
      }
    }
    for (const f of foldChar(c)) {
      if (f === " ") {
        space = true;
        continue;
      }
      out.text += f;
      out.from.push([at, at + length]);
      out.spaced.push(space);
      space = false;
    }
    at += length;
  }
  return out;
}

/** The text as the key search sees it: NFKC, look-alikes and dashes folded, invisible characters and spaces gone. */
export function normaliseForKeySearch(text: string): string {
  return foldForKeySearch(text).text;
}

/** True when the text holds something shaped like an Anthropic credential once normalised (see above). */
export function holdsKeyLikeText(text: string): boolean {
  return KEY_LIKE.test(normaliseForKeySearch(text));
}

/** For a short field (a name): it begins like a credential at all, however spelled, or holds one. */
export function startsLikeKey(text: string): boolean {
  const folded = normaliseForKeySearch(text);
  return folded.toLowerCase().startsWith(KEY_PREFIX) || KEY_LIKE.test(folded);
}
