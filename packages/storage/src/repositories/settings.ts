import type { SettingsRepository } from "@apikey/core/store";
import { eq } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";

export function settingsRepository({ db, tables: { settings } }: Dialect): SettingsRepository {
  return {
    async get(name) {
      const [row] = await db.select().from(settings).where(eq(settings.name, name)).limit(1);
      return row ? (JSON.parse(row.value) as unknown) : null;
    },
    async set(name, value, at) {
      const json = JSON.stringify(value);
      await db
        .insert(settings)
        .values({ name, value: json, updatedAt: at })
        .onConflictDoUpdate({ target: settings.name, set: { value: json, updatedAt: at } });
    },
    async delete(name) {
      await db.delete(settings).where(eq(settings.name, name));
    },
  };
}
