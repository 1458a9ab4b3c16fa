// Vendored from packages/core/src/import-sources/candidates.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { IncomingKey, SkippedKey } from "../bundle/plan.ts";
import { recogniseKey } from "../key-format.ts";
import { MAX_NAME_LENGTH, numberedName } from "../vault/names.ts";

// What a source file yields: keys ready to import, and entries left out with the reason. Never the secret of a
// left-out entry, not even masked: a malformed value may be something else entirely (a password pasted by mistake).

export interface SourceScan {
  keys: IncomingKey[];
  skipped: SkippedKey[];
}

export interface Naming {
  profile: string;
  /** The person's --name: the first key gets it, further ones `-2`, `-3`…; a clash with a stored key is skipped. */
  name?: string | undefined;
}

/** Adds one found value to the scan: recognised → a key; otherwise a `malformed` skip saying why. */
export function addCandidate(scan: SourceScan, raw: string, derivedName: string, naming: Naming): void {
  const index = scan.keys.length;
  const name =
    naming.name === undefined
      ? derivedName
      : index === 0
        ? naming.name
        : numberedName(naming.name, index + 1);
  let recognised: ReturnType<typeof recogniseKey>;
  try {
    recognised = recogniseKey(raw);
  } catch (err) {
    // recogniseKey's message describes the shape (prefix, length), never the value.
    scan.skipped.push({ name, profile: naming.profile, reason: "malformed", detail: (err as Error).message });
    return;
  }
  scan.keys.push({
    name,
    profile: naming.profile,
    kind: recognised.kind,
    source: "import",
    organization: null,
    status: "active",
    createdAt: new Date(),
    lastUsedAt: null,
    lastValidatedAt: null,
    validation: null,
    validationMessage: null,
    monthlyBudgetUsd: null,
    budgetMode: "warn",
    upstreamId: null,
    secret: recognised.secret,
    naming: naming.name === undefined ? "number" : "exact",
  });
}

/**
 * A key name from arbitrary text (a provider id, a file name): apikey's name rules, and short enough that numbering
 * (`-2` … `-999`) never has to cut into it.
 */
export function toKeyName(prefix: string, text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/-+$/, "");
  return (cleaned ? `${prefix}-${cleaned}` : prefix).slice(0, MAX_NAME_LENGTH - 8);
}
