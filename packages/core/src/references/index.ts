export {
  findReferences,
  isReferenceLike,
  parseReference,
  REFERENCE_SCHEME,
  type Reference,
} from "./parse.ts";
export { type ReferenceResolver, type Resolved, resolveAll, resolveReference } from "./resolve.ts";
