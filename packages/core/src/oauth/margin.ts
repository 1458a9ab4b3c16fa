/** Refresh an OAuth access token when it has less than this left. */
export const REFRESH_MARGIN_MS = 60_000;
