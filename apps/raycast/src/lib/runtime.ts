// The store is opened with Node's built-in node:sqlite, which exists only from Node 22.5. Raycast runs extensions on
// the Node it ships; an older Raycast has an older Node, and without this check the first query fails with a plain
// Error that reads as "Something went wrong". Raycast bundles Node 22.22 today (raycast/extensions PR #27373).

/** The Node release that first has node:sqlite. */
export const NODE_SQLITE_SINCE = "22.5";

/** Raised before the store is opened when this Raycast's Node cannot load node:sqlite. */
export class RuntimeTooOldError extends Error {
  override readonly name = "RuntimeTooOldError";
  readonly nodeVersion: string;
  constructor(nodeVersion: string) {
    super(`This Raycast runs Node ${nodeVersion}, which has no node:sqlite.`);
    this.nodeVersion = nodeVersion;
  }
}

interface Host {
  getBuiltinModule?: (id: string) => unknown;
  versions: { node: string };
}

/**
 * Feature-detects node:sqlite the way the storage driver loads it (process.getBuiltinModule, so the CommonJS bundle
 * needs no import.meta): a Node without getBuiltinModule (< 22.3), one that returns nothing for node:sqlite
 * (22.3–22.4, or the module behind a flag), one whose load throws, and a module without DatabaseSync all count as
 * missing. The version is only reported, never compared: a patched Node may differ from its number.
 */
export function assertNodeSqlite(host: Host = process): void {
  let sqlite: unknown;
  try {
    sqlite = typeof host.getBuiltinModule === "function" ? host.getBuiltinModule("node:sqlite") : undefined;
  } catch {
    sqlite = undefined;
  }
  if (typeof (sqlite as { DatabaseSync?: unknown } | undefined)?.DatabaseSync !== "function") {
    throw new RuntimeTooOldError(host.versions.node);
  }
}
