// Vendored from packages/core/src/scan/find-keys.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { KEY_IN_TEXT, KEY_PREFIX } from "../key-shapes.ts";

// Well-formed Anthropic credentials in text: key-shapes.ts's strict shapes, found anywhere in a line.

export interface FoundKey {
  secret: string;
  /** 1-based. */
  line: number;
}

/** Cheap pre-check for a whole file's text before the line-by-line search. */
export const mayHoldKey = (text: string): boolean => text.includes(KEY_PREFIX);

export function findKeysInText(text: string): FoundKey[] {
  if (!mayHoldKey(text)) return [];
  const found: FoundKey[] = [];
  let line = 1;
  let counted = 0;
  for (const m of text.matchAll(KEY_IN_TEXT)) {
    const at = m.index ?? 0;
    for (let i = text.indexOf("\n", counted); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) line++;
    counted = at;
    found.push({ secret: m[0], line });
  }
  return found;
}
