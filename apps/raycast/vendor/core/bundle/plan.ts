// Vendored from packages/core/src/bundle/plan.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { DEFAULT_PROFILE } from "../domain.ts";
import type { Store } from "../store.ts";
import { activatesByDefault } from "../vault/default-active.ts";
import { numberedName } from "../vault/names.ts";
import type { BundleKey, BundleProfile } from "./payload.ts";

// Deciding what an import changes, from what it brings and what the store holds. Reads only: the same plan is
// shown by --dry-run and applied, inside one transaction, by a real import.

export interface IncomingKey extends BundleKey {
  /**
   * "exact": the name is the person's (from a bundle or --name), so a clash with a stored key is skipped and
   * reported. "number": apikey made the name up (`opencode-anthropic`), so it becomes `-2`, `-3`… instead.
   */
  naming: "exact" | "number";
}

export interface ImportBatch {
  keys: IncomingKey[];
  /** Profiles to exist afterwards (a bundle's, even empty ones), with the key each had active. */
  profiles: BundleProfile[];
}

export type SkipReason =
  | "duplicate"
  | "name-taken"
  | "malformed"
  | "oauth"
  | "not-anthropic"
  | "invalid"
  | "unsupported";

/** A key left out, named by where it came from; never by its secret. */
export interface SkippedKey {
  name: string;
  profile: string | null;
  reason: SkipReason;
  detail: string;
}

export interface PlannedKey {
  key: IncomingKey;
  /** The name it gets, after numbering. */
  name: string;
  fingerprint: string;
}

export interface ImportPlan {
  add: PlannedKey[];
  skipped: SkippedKey[];
  profilesToCreate: string[];
  /** Profiles with no active key that get one of the imported keys. */
  activate: Array<{ profile: string; name: string }>;
}

export async function planImport(
  store: Store,
  batch: ImportBatch,
  fingerprint: (secret: string) => string,
): Promise<ImportPlan> {
  const [stored, profiles] = await Promise.all([store.keys.list(), store.profiles.list()]);
  const storedByFp = new Map(stored.map((k) => [k.fingerprint, k]));
  // Rotated keys keep their name for history, but byName (and so `use`, `add`) ignores them: so do we.
  const taken = new Set(stored.filter((k) => k.status !== "rotated").map((k) => slot(k.profile, k.name)));
  const existingProfiles = new Map(profiles.map((p) => [p.name, p]));

  const add: PlannedKey[] = [];
  const skipped: SkippedKey[] = [];
  const planned = new Map<string, PlannedKey>();
  for (const key of batch.keys) {
    const fp = fingerprint(key.secret);
    const dup = storedByFp.get(fp) ?? planned.get(fp);
    if (dup) {
      const where = "key" in dup ? { name: dup.name, profile: dup.key.profile } : dup;
      skipped.push({
        name: key.name,
        profile: key.profile,
        reason: "duplicate",
        detail: `already stored as "${where.name}" in profile "${where.profile}"`,
      });
      continue;
    }
    const name = freeName(key, taken);
    if (name === null) {
      skipped.push({
        name: key.name,
        profile: key.profile,
        reason: "name-taken",
        detail: `profile "${key.profile}" already has a different key named "${key.name}"`,
      });
      continue;
    }
    taken.add(slot(key.profile, name));
    const entry = { key, name, fingerprint: fp };
    planned.set(fp, entry);
    add.push(entry);
  }

  const wanted = new Set([...batch.profiles.map((p) => p.name), ...add.map((a) => a.key.profile)]);
  // `default` is missing only from a store that was never written, and its first write creates it.
  const profilesToCreate = [...wanted].filter((p) => !existingProfiles.has(p) && p !== DEFAULT_PROFILE);

  const activate: ImportPlan["activate"] = [];
  for (const profile of wanted) {
    if (existingProfiles.get(profile)?.activeKeyId) continue;
    const mine = add.filter((a) => a.key.profile === profile);
    const bundled = batch.profiles.find((p) => p.name === profile);
    // A bundle's profile keeps its own choice, so a restore lists what was exported: its active key even when
    // disabled, or none when it had none. Else (another tool's keys), like `add`, the first usable key that may
    // become active by default (not an Admin key).
    const usable = (a: PlannedKey) => a.key.status === "active" && activatesByDefault(a.key.kind);
    const pick = bundled
      ? bundled.activeKey === null
        ? undefined
        : (mine.find((a) => a.key.name === bundled.activeKey) ?? mine.find(usable))
      : mine.find(usable);
    if (pick) activate.push({ profile, name: pick.name });
  }
  return { add, skipped, profilesToCreate, activate };
}

export const planChangesSomething = (plan: ImportPlan): boolean =>
  plan.add.length > 0 || plan.profilesToCreate.length > 0;

function freeName(key: IncomingKey, taken: Set<string>): string | null {
  if (!taken.has(slot(key.profile, key.name))) return key.name;
  if (key.naming === "exact") return null;
  for (let n = 2; n < 1000; n++) {
    const candidate = numberedName(key.name, n);
    if (!taken.has(slot(key.profile, candidate))) return candidate;
  }
  return null;
}

const slot = (profile: string, name: string) => `${profile}\u0000${name}`;
