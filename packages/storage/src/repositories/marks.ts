import type { MarkRepository } from "@apikey/core/store";
import { lt } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";

export function markRepository({ db, tables: { marks } }: Dialect): MarkRepository {
  return {
    async claim(name, at) {
      // ON CONFLICT DO NOTHING + RETURNING: a row comes back only to the one caller that inserted it; on
      // PostgreSQL a second connection inserting the same name at once waits for the first's commit, then gets none.
      const inserted = await db
        .insert(marks)
        .values({ name, at })
        .onConflictDoNothing()
        .returning({ name: marks.name });
      return inserted.length === 1;
    },
    async prune(before) {
      const gone = await db.delete(marks).where(lt(marks.at, before)).returning({ name: marks.name });
      return gone.length;
    },
  };
}
