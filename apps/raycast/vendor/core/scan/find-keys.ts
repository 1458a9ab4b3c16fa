// Vendored from packages/core/src/scan/find-keys.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Anthropic-shaped credentials in text: the shapes key-format.ts accepts, found anywhere in a line. A match must not
// continue into more key characters on either side, so a longer or shorter look-alike is not reported.

const OAUTH_MAX_BODY = 300;
export const KEY_IN_TEXT = new RegExp(
  `(?<![A-Za-z0-9_-])(?:sk-ant-api03-[A-Za-z0-9_-]{93}AA|sk-ant-admin01-[A-Za-z0-9_-]{93}AA|sk-ant-oat01-[A-Za-z0-9_-]{40,${OAUTH_MAX_BODY}})(?![A-Za-z0-9_-])`,
  "g",
);
/** The longest match KEY_IN_TEXT can make (an OAuth token): a streaming search keeps this much between chunks. */
export const LONGEST_KEY = "sk-ant-oat01-".length + OAUTH_MAX_BODY;

export interface FoundKey {
  secret: string;
  /** 1-based. */
  line: number;
}

/** Cheap pre-check for a whole file's text before the line-by-line search. */
export const mayHoldKey = (text: string): boolean => text.includes("sk-ant-");

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
