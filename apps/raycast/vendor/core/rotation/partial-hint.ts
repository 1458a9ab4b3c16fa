// Vendored from packages/core/src/rotation/partial-hint.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Anthropic's Admin API shows each key only as `partial_key_hint`, e.g. `sk-ant-api03-R2D...igAA`: the first
// characters and the last few. We hold the full old secret (decrypted), so we compare the real prefix and suffix
// rather than our own masked hint, which keeps only the last four characters.

export function matchesPartialHint(secret: string, hint: string | null | undefined): boolean {
  if (!hint) return false;
  const sep = hint.includes("...") ? "..." : hint.includes("…") ? "…" : null;
  if (sep === null) return false;
  const at = hint.indexOf(sep);
  const prefix = hint.slice(0, at);
  const suffix = hint.slice(at + sep.length);
  // A hint with no key-specific characters on either side would match every key of that kind.
  if (suffix.length < 2 || prefix.length + suffix.length >= secret.length) return false;
  return secret.startsWith(prefix) && secret.endsWith(suffix);
}
