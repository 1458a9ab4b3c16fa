// Types for node22-binary.mjs, so TypeScript tests can import it.
export function isNode22(): boolean;
export function node22Binary(): string | null;
