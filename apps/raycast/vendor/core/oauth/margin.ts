// Vendored from packages/core/src/oauth/margin.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
/** Refresh an OAuth access token when it has less than this left. */
export const REFRESH_MARGIN_MS = 60_000;
