// Vendored from packages/core/src/references/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
export {
  findReferences,
  isReferenceLike,
  parseReference,
  REFERENCE_SCHEME,
  type Reference,
} from "./parse.ts";
export { type ReferenceResolver, type Resolved, resolveAll, resolveReference } from "./resolve.ts";
