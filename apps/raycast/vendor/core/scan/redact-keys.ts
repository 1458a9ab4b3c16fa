// Vendored from packages/core/src/scan/redact-keys.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { KEY_PREFIX, KEY_PREFIX_ANY_CASE, KEY_SHAPES } from "../key-shapes.ts";
import { foldForKeySearch } from "./loose-keys.ts";

// Replaces every credential-shaped run in text that is about to be printed or logged (an error that quotes its
// input, a log line), however it is spelled: the loose finder's folding applies, so a fullwidth, zero-width or
// look-alike spelling is caught as the plain one is, and so is one inside a serialised value (`\n`, `\u200b`). A run starts at the prefix and takes the key characters that
// follow. Where the kind is known (`api03-`…), it goes on across whitespace until the kind's full length, because a
// key broken by a space or a line break is still a key; otherwise it stops at the first whitespace. Redacting a few
// characters too many is the safe side.

const KEY_CHAR = /^[A-Za-z0-9_-]$/;
const TAG = /^[a-z]+\d+-/i;

/** How many key characters after the prefix a run may take when the text names its kind. */
function bodyLimit(afterPrefix: string): number | null {
  const tag = TAG.exec(afterPrefix)?.[0];
  if (!tag) return null;
  const shape = KEY_SHAPES.find((s) => s.prefix.toLowerCase() === `${KEY_PREFIX}${tag}`.toLowerCase());
  return shape ? shape.prefix.length - KEY_PREFIX.length + shape.max + shape.end.length : null;
}

/** `text` with each credential-shaped run replaced by `replacement` (or what it makes of the run). */
export function redactKeyLike(
  text: string,
  replacement: string | ((run: string) => string) = "[redacted]",
): string {
  const folded = foldForKeySearch(text, { escapes: true });
  const { from, spaced } = folded;
  const spans: Array<[number, number]> = [];
  for (const m of folded.text.matchAll(KEY_PREFIX_ANY_CASE)) {
    const start = m.index ?? 0;
    if (spans.length > 0 && (from[start]?.[0] ?? 0) < (spans.at(-1)?.[1] ?? 0)) continue;
    const body = start + m[0].length;
    const limit = bodyLimit(folded.text.slice(body, body + 16));
    let end = body;
    while (end < folded.text.length && KEY_CHAR.test(folded.text[end] ?? "")) {
      // Whitespace before the first body character never ends the run (`sk-ant- api03-…`); later whitespace does,
      // unless the kind's full length is not reached yet.
      if (spaced[end] && end > body && (limit === null || end - body >= limit)) break;
      end++;
    }
    spans.push([from[start]?.[0] ?? 0, from[end - 1]?.[1] ?? 0]);
  }
  let out = "";
  let at = 0;
  for (const [s, e] of spans) {
    out +=
      text.slice(at, s) + (typeof replacement === "string" ? replacement : replacement(text.slice(s, e)));
    at = e;
  }
  return out + text.slice(at);
}
