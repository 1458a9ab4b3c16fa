// Vendored from packages/core/src/test-keys.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Well-formed but visibly fake keys for unit tests.
const pad = (label: string, n: number) => (label + "_FAKE_TEST_KEY_".repeat(10)).slice(0, n);

export const fakeApiKey = (label = "UNIT"): string => `sk-ant-api03-${pad(label, 93)}AA`;
export const fakeAdminKey = (label = "UNIT"): string => `sk-ant-admin01-${pad(label, 93)}AA`;
export const fakeOauthToken = (label = "UNIT"): string => `sk-ant-oat01-${pad(label, 80)}`;
