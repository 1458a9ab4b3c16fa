// Vendored from packages/core/src/federation/workspace-id.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// A workspace id as the API takes it (`wrkspc_…`, or `default`): in a federated exchange's body, and as the
// `anthropic-workspace-id` header the official SDK sends with a `user_oauth` profile's token. Checked where it enters
// (`add --federated --workspace`, an imported profile), because it ends up in a request header.

const WORKSPACE = /^(wrkspc_[A-Za-z0-9_-]{1,120}|default)$/;

export const isWorkspaceId = (value: string): boolean => WORKSPACE.test(value);
