import type { AuditEntry, KeyRecord } from "../../domain.ts";
import type { Store } from "../../store.ts";
import type { Retirement } from "./detect.ts";

// When apikey retired a key: the moment the audit log recorded its rotation (on the new key's entry, which names
// the old one), its disabling or its deletion. The key row's updatedAt stands in for a store whose audit entry is
// missing; a deleted key with no entry left has no known moment, and so no finding.

/** The retirements of these keys (ids with reported usage); active keys, and unknown ones, have none. */
export async function retirementsOf(
  store: Store,
  keyIds: readonly string[],
  stored: ReadonlyMap<string, KeyRecord>,
): Promise<Retirement[]> {
  const out: Retirement[] = [];
  for (const id of keyIds) {
    const record = stored.get(id);
    const found = record ? await ofStoredKey(store, record) : await ofDeletedKey(store, id);
    if (found) out.push(found);
  }
  return out;
}

async function ofStoredKey(store: Store, key: KeyRecord): Promise<Retirement | null> {
  const named = { id: key.id, name: key.name, profile: key.profile };
  if (key.status === "rotated") {
    const entries = key.rotatedToId ? await store.audit.list({ keyId: key.rotatedToId }) : [];
    const rotation = entries.find((e) => e.action === "key.rotate" && e.details.oldId === key.id);
    return { key: named, retired: "rotated", at: rotation?.at ?? key.updatedAt };
  }
  if (key.status === "disabled") {
    const disabling = newest(await store.audit.list({ keyId: key.id }), "key.disable");
    return { key: named, retired: "disabled", at: disabling?.at ?? key.updatedAt };
  }
  return null;
}

async function ofDeletedKey(store: Store, id: string): Promise<Retirement | null> {
  const deletion = newest(await store.audit.list({ keyId: id }), "key.delete");
  if (!deletion) return null;
  const name = typeof deletion.details.name === "string" ? deletion.details.name : null;
  return { key: { id, name, profile: deletion.profile }, retired: "deleted", at: deletion.at };
}

/** The audit list is newest first. */
const newest = (entries: readonly AuditEntry[], action: string) => entries.find((e) => e.action === action);
