// The one JSON parser for request bodies the gateway decides on. JSON.parse keeps the last of two equal keys;
// other parsers keep the first, merge them, or fold case (Go's encoding/json matches `Model` to `model`). A body
// the gateway checked must mean the same thing upstream, so a body with a key twice is refused as ambiguous
// instead of trusting the upstream's parser to agree. Keys compare as decoded (`"mod\u0065l"` is `model`); the
// names the gateway reads also collide when they differ only by case, compatibility forms, whitespace, invisible
// characters or what follows a NUL (`Model`, `ｍodel`, `model\u0000x`). JSON.parse's reviver cannot see
// duplicates, so the text itself is scanned.

export type StrictJson =
  | { ok: true; value: unknown }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "duplicate_key"; key: string };

/**
 * `text` parsed as JSON.parse does, or why not: not JSON, or an object with a key twice. `significant` lists the
 * (lower-case) names that also collide loosely, see `foldKey`.
 */
export function parseStrictJson(text: string, significant: ReadonlySet<string> = new Set()): StrictJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const key = firstDuplicateKey(text, significant);
  return key === null ? { ok: true, value } : { ok: false, reason: "duplicate_key", key };
}

const QUOTE = 0x22;

/** Cut at a NUL (C strings), compatibility forms and case folded, whitespace and format characters dropped. */
export function foldKey(key: string): string {
  const nul = key.indexOf("\u0000");
  return (nul === -1 ? key : key.slice(0, nul))
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\p{Cf}]/gu, "");
}

/**
 * The first key that repeats within one object, or null. Only for text JSON.parse accepted: the scan tracks
 * strings and brackets and relies on the text being well-formed.
 */
export function firstDuplicateKey(text: string, significant: ReadonlySet<string> = new Set()): string | null {
  // One frame per open object (its keys) or array (null).
  const stack: Array<{ keys: Set<string>; folded: Set<string> } | null> = [];
  let expectKey = false;
  const n = text.length;
  const stringEnd = stringScanner(text);
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(i);
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const literal = text.slice(i, end);
        const key = literal.includes("\\") ? (JSON.parse(literal) as string) : literal.slice(1, -1);
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        if (significant.size > 0) {
          const folded = foldKey(key);
          if (significant.has(folded)) {
            if (top.folded.has(folded)) return key;
            top.folded.add(folded);
          }
        }
        expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === 0x7b) {
      stack.push({ keys: new Set(), folded: new Set() });
      expectKey = true;
    } else if (c === 0x5b) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1] != null;
    }
    i++;
  }
  return null;
}

/**
 * Finds where each string literal ends. The next backslash is remembered across calls: searching for it again
 * from every string would rescan the rest of a body without escapes once per string.
 */
function stringScanner(text: string): (start: number) => number {
  let slash = -2;
  return (start) => {
    let i = start + 1;
    for (;;) {
      const quote = text.indexOf('"', i);
      if (quote === -1) return text.length;
      if (slash !== -1 && slash < i) slash = text.indexOf("\\", i);
      if (slash === -1 || slash > quote) return quote + 1;
      // An escape before the quote: skip the backslash and the character it escapes (perhaps that quote).
      i = slash + 2;
    }
  };
}
