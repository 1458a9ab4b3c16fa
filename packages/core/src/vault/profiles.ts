import { DEFAULT_PROFILE } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { Store } from "../store.ts";
import { forgetGatewayOnlyIn } from "../usage-sync/gateway-only-setting.ts";
import { checkName } from "./names.ts";
import { profileNotFound } from "./refusals.ts";
import type { Session } from "./session.ts";
import type { StatusReport } from "./status.ts";
import { profileSummaries } from "./status.ts";

// Profiles: named sets of keys, each with one active key. `default` always exists once the store does.

export async function createProfile(s: Session, name: string): Promise<void> {
  checkName(name, "profile");
  await s.store.transaction(async (tx) => {
    if (await tx.profiles.get(name)) {
      throw new ApikeyError(ERROR_CODES.PROFILE_EXISTS, `Profile "${name}" already exists.`, {
        details: { profile: name },
      });
    }
    await createProfileIn(s, tx, name);
  });
}

/** Creates a profile the caller checked is new and well named, audited, inside the caller's transaction. */
export async function createProfileIn(
  s: Pick<Session, "now" | "auditIn">,
  tx: Store,
  name: string,
): Promise<void> {
  await tx.profiles.create({ name, activeKeyId: null, createdAt: s.now() });
  await s.auditIn(tx, "profile.create", null, name, { name });
  // A mark left by a profile of this name deleted before apikey cleared marks with their profile.
  await forgetGatewayOnlyIn(s, tx, name, "profile_created");
}

export async function listProfiles(s: Session): Promise<StatusReport["profiles"]> {
  // The profiles and the keys only: a listing needs neither the store's meta nor its slots.
  const [keys, profiles] = await Promise.all([
    s.store.keys.list({ secrets: false }),
    s.store.profiles.list(),
  ]);
  return profileSummaries(keys, profiles);
}

/** One profile as `listProfiles` shows it. `default` exists before anything is stored in it; any other name must. */
export async function getProfile(s: Session, name: string): Promise<StatusReport["profiles"][number]> {
  const found = (await listProfiles(s)).find((p) => p.name === name);
  if (found) return found;
  if (name === DEFAULT_PROFILE) return { name, activeKey: null, keyCount: 0 };
  throw profileNotFound(name);
}

export async function deleteProfile(s: Session, name: string): Promise<void> {
  await s.store.transaction(async (tx) => {
    if (name === DEFAULT_PROFILE) {
      throw new ApikeyError(ERROR_CODES.USAGE, "The default profile cannot be deleted.");
    }
    if (!(await tx.profiles.get(name))) throw profileNotFound(name);
    const keys = await tx.keys.list({ profile: name });
    if (keys.length > 0) {
      throw new ApikeyError(
        ERROR_CODES.PROFILE_IN_USE,
        `Profile "${name}" still holds ${keys.length} key(s).`,
        {
          hint: "Delete or move its keys first.",
          details: { profile: name, keys: keys.length },
        },
      );
    }
    await tx.profiles.delete(name);
    await s.auditIn(tx, "profile.delete", null, name, { name });
    await forgetGatewayOnlyIn(s, tx, name, "profile_deleted");
  });
}

export async function ensureProfile(s: Pick<Session, "now">, tx: Store, name: string) {
  const existing = await tx.profiles.get(name);
  if (existing) return existing;
  if (name !== DEFAULT_PROFILE) throw profileNotFound(name);
  const created = { name, activeKeyId: null, createdAt: s.now() };
  await tx.profiles.create(created);
  return created;
}
