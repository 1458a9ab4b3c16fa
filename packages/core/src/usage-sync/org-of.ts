import type { KeyRecord } from "../domain.ts";

/** The organization an Admin key reads: its organization when known, else the key itself. */
export function orgOf(admin: Pick<KeyRecord, "organization" | "id">): string {
  return admin.organization ?? `admin-key:${admin.id}`;
}
