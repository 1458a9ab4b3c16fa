// Vendored from packages/core/src/rotation/rotate-checks.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { DEFAULT_PROFILE, type KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { Store } from "../store.ts";

// What a rotation checks before it writes, both before validating the new key and again under the write lock.

export type Decision = { kind: "new" } | { kind: "same"; predecessor: KeyRecord };

export async function decide(
  store: Store,
  live: KeyRecord,
  fingerprint: string,
  kind: KeyRecord["kind"],
): Promise<Decision> {
  if (live.fingerprint === fingerprint) {
    // The live key already is this secret. If it got there by rotation, this is a repeat: succeed, change nothing.
    const predecessor = live.rotatedFromId ? await store.keys.byId(live.rotatedFromId) : null;
    if (predecessor) return { kind: "same", predecessor };
    throw new ApikeyError(ERROR_CODES.ROTATE_SAME_KEY, `The new key is the one ${live.name} already holds.`, {
      hint: "Create a new key in the Anthropic Console, then rotate to it.",
    });
  }
  if (live.kind !== kind) {
    throw new ApikeyError(
      ERROR_CODES.KEY_FORMAT,
      `${live.name} holds ${article(live.kind)} key; the new one is ${article(kind)} key.`,
      { hint: "Rotate a key to one of the same kind, or add the new key under another name." },
    );
  }
  const existing = await store.keys.byFingerprint(fingerprint);
  if (existing) {
    const what = existing.status === "rotated" ? " (an earlier, rotated key)" : "";
    throw new ApikeyError(
      ERROR_CODES.KEY_DUPLICATE,
      `The new key is already stored as "${existing.name}" in profile "${existing.profile}"${what}.`,
      { hint: "Rotate to a freshly created key; a key is stored once." },
    );
  }
  return { kind: "new" };
}

export async function findLive(store: Store, name: string, profile: string): Promise<KeyRecord> {
  const key = await store.keys.byName(profile, name);
  if (key) return key;
  if (!(await store.profiles.get(profile)) && profile !== DEFAULT_PROFILE) {
    throw new ApikeyError(ERROR_CODES.PROFILE_NOT_FOUND, `No profile named "${profile}".`, {
      details: { profile },
    });
  }
  throw new ApikeyError(ERROR_CODES.KEY_NOT_FOUND, `No key named "${name}" in profile "${profile}".`, {
    details: { key: name, profile },
  });
}

const article = (kind: KeyRecord["kind"]) =>
  kind === "api" ? "an API" : kind === "admin" ? "an Admin" : "an OAuth";
