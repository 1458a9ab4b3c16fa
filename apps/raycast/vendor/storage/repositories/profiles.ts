// Vendored from packages/storage/src/repositories/profiles.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError } from "../../core/errors.ts";
import type { ProfileRepository } from "../../core/store.ts";
import { eq } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";
import { profileFromRow } from "../rows.ts";

export function profileRepository(dialect: Dialect): ProfileRepository {
  const { db, byteOrder, isForeignKeyViolation, driverError } = dialect;
  const { profiles } = dialect.tables;
  return {
    async create(profile) {
      await db.insert(profiles).values({ ...profile });
    },
    async get(name) {
      const [row] = await db.select().from(profiles).where(eq(profiles.name, name)).limit(1);
      return row ? profileFromRow(row) : null;
    },
    async list() {
      const rows = await db.select().from(profiles).orderBy(byteOrder(profiles.name));
      return rows.map(profileFromRow);
    },
    async delete(name) {
      await db
        .delete(profiles)
        .where(eq(profiles.name, name))
        .catch((err: unknown) => {
          if (!isForeignKeyViolation(err)) throw err;
          // keys.profile is ON DELETE RESTRICT.
          throw new ApikeyError("E_PROFILE_IN_USE", "This profile still holds keys.", {
            cause: driverError(err),
            hint: "Move or remove its keys first.",
          });
        });
    },
    async setActiveKey(name, keyId) {
      await db
        .update(profiles)
        .set({ activeKeyId: keyId })
        .where(eq(profiles.name, name))
        .catch((err: unknown) => {
          if (!isForeignKeyViolation(err)) throw err;
          throw new ApikeyError("E_KEY_NOT_FOUND", "That key does not exist.", { cause: driverError(err) });
        });
    },
  };
}
