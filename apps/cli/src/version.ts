import { LATEST_MIGRATION_TAG } from "@apikey/storage/schema-version";
// Inlined by the bundler: the installed package needs no package.json lookup at run time.
import pkg from "../package.json" with { type: "json" };

/** What `apikey --version` prints: the CLI's version first (for scripts), then the store schema it writes. */
export function versionText(): string {
  return `${pkg.version} (store schema ${LATEST_MIGRATION_TAG})`;
}

/** `apikey --version --json`: the same facts, for scripts. */
export function versionJson(): string {
  return JSON.stringify({ version: pkg.version, storeSchema: LATEST_MIGRATION_TAG });
}
