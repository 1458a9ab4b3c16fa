import type { MarkRepository } from "@apikey/core/store";
import { lt } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";

/** Names per statement: well under both dialects' bound-parameter limits (2 parameters a name). */
const MAX_BATCH = 500;

export function markRepository({ db, tables: { marks } }: Dialect): MarkRepository {
  // ON CONFLICT DO NOTHING + RETURNING: a row comes back only to the one caller that inserted it; on PostgreSQL a
  // second connection inserting the same name at once waits for the first's commit, then gets none.
  const insert = async (names: readonly string[], at: Date) => {
    const rows = await db
      .insert(marks)
      .values(names.map((name) => ({ name, at })))
      .onConflictDoNothing()
      .returning({ name: marks.name });
    return rows.map((row) => row.name);
  };
  return {
    async claim(name, at) {
      return (await insert([name], at)).length === 1;
    },
    async claimMany(names, at) {
      const distinct = [...new Set(names)];
      const won = new Set<string>();
      for (let i = 0; i < distinct.length; i += MAX_BATCH) {
        for (const name of await insert(distinct.slice(i, i + MAX_BATCH), at)) won.add(name);
      }
      return won;
    },
    async prune(before) {
      const gone = await db.delete(marks).where(lt(marks.at, before)).returning({ name: marks.name });
      return gone.length;
    },
  };
}
