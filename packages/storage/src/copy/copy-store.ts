import { ApikeyError } from "@apikey/core/errors";
import { asc, getTableName, gt, sql } from "drizzle-orm";
import { toStoreError } from "../errors.ts";
import { toPgStoreError } from "../pg/errors.ts";
import { insertReportedDaily } from "../repositories/reported-rollup.ts";
import { rebuildDailySql, utcDayOf } from "../repositories/usage-rollup.ts";
import { COPIED, type Copied, describeEndpoint, type Endpoint, openSide, PAGED, type Side } from "./sides.ts";

// `store copy`: every row of one store into another, SQLite or PostgreSQL either way, in ONE transaction on the
// target — a copy that fails or is killed half-way leaves the target as it was. Rows move as stored: keys, refresh
// tokens, store secrets and the wrapped data key stay ciphertext, so no master key is needed and none is seen.
// The source is read in one snapshot. Counts are checked before the commit.

export interface CopyOptions {
  /** Add to a target that already holds data (same data key only); rows it already has are kept. */
  merge?: boolean;
  /** Called before each table, for progress output. */
  onTable?: (table: string, rows: number) => void;
}

export interface CopyReport {
  from: string;
  to: string;
  /** Rows written per table (usage_daily: rebuilt rows). */
  tables: Record<string, number>;
}

const PAGE = 10_000;
// Bound parameters per statement: SQLite allows 32766, PostgreSQL 65535.
const MAX_PARAMS = { sqlite: 30_000, postgres: 60_000 };

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

export async function copyStore(
  from: Endpoint,
  to: Endpoint,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const fromName = describeEndpoint(from);
  const toName = describeEndpoint(to);
  if (from.kind === to.kind && fromName === toName) {
    throw new ApikeyError("E_USAGE", "The source and the target of a copy are the same store.", {
      details: { target: toName },
    });
  }
  let source: Side | undefined;
  let target: Side | undefined;
  let side: "source" | "target" = "source";
  try {
    source = await openSide(from, "refuse");
    side = "target";
    target = await openSide(to, "create");
    return await copyBetween(source, target, fromName, toName, options);
  } catch (err) {
    const where = side === "source" ? fromName : toName;
    const kind = side === "source" ? from.kind : to.kind;
    throw kind === "postgres" ? toPgStoreError(err, where) : toStoreError(err, where);
  } finally {
    await target?.close().catch(() => {});
    await source?.close().catch(() => {});
  }
}

const count = (s: Side, table: Copied | "usageDaily") =>
  s.count(`SELECT count(*) FROM ${getTableName(s.tables[table])}`);

type Counts = Record<string, number>;

async function copyBetween(
  source: Side,
  target: Side,
  fromName: string,
  toName: string,
  options: CopyOptions,
): Promise<CopyReport> {
  await beginCopy(source, target);
  try {
    const before = await targetCounts(source, target, toName, options.merge === true);
    const { written, expected } = await copyRows(source, target, options);
    options.onTable?.("usage_daily", 0);
    await target.exec("DELETE FROM usage_daily");
    await target.exec(rebuildDailySql(target.tables, target.dialect));
    // The reported usage's rollup, likewise rebuilt from the rows copied, never copied itself.
    await target.exec("DELETE FROM usage_reported_daily");
    await insertReportedDaily(target.db, target.tables, utcDayOf(target.dialect));
    await verifyCopy(target, { before, written, expected }, options.merge === true);
    written.usageDaily = await count(target, "usageDaily");
    await target.exec("COMMIT");
    const tables = Object.fromEntries(
      Object.entries(written).map(([k, n]) => [getTableName(target.tables[k as Copied]), n]),
    );
    return { from: fromName, to: toName, tables };
  } catch (err) {
    await target.exec("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await source.exec("ROLLBACK").catch(() => {});
  }
}

async function beginCopy(source: Side, target: Side): Promise<void> {
  // One consistent snapshot of the source, however long the copy takes.
  await source.exec(
    source.dialect === "sqlite" ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
  );
  // The target's write lock, held to the end: no other apikey process writes in between.
  await target.exec(
    target.dialect === "sqlite"
      ? "BEGIN IMMEDIATE"
      : "BEGIN; SELECT 1 FROM store_version WHERE id = 1 FOR UPDATE",
  );
}

/** The target's rows per table before the copy: none unless merging, and merging only under the same data key. */
async function targetCounts(source: Side, target: Side, toName: string, merge: boolean): Promise<Counts> {
  const before: Counts = {};
  for (const table of COPIED) before[table] = await count(target, table);
  const occupied = Object.entries(before).filter(([, n]) => n > 0);
  if (occupied.length > 0 && !merge) {
    throw new ApikeyError("E_USAGE", `The target store at ${toName} already holds data.`, {
      details: { target: toName, reason: "target_not_empty", tables: occupied.map(([t]) => t) },
    });
  }
  if (merge) await refuseOtherDataKey(source, target, toName);
  return before;
}

/** Every copied table, then what points between them; the rows the source has and the target took, per table. */
async function copyRows(
  source: Side,
  target: Side,
  options: CopyOptions,
): Promise<{ written: Counts; expected: Counts }> {
  const written: Counts = {};
  const expected: Counts = {};
  for (const table of COPIED) {
    expected[table] = await count(source, table);
    options.onTable?.(getTableName(target.tables[table]), expected[table] ?? 0);
    written[table] = await copyTable(source, target, table, options.merge === true);
  }
  // profiles.active_key_id points into keys: set it once the keys are there.
  await restoreActiveKeys(source, target);
  if (target.dialect === "postgres") {
    for (const table of PAGED) {
      const name = getTableName(target.tables[table]);
      await target.exec(
        `SELECT setval(pg_get_serial_sequence('${name}', 'id'), coalesce(max(id), 0) + 1, false) FROM ${name}`,
      );
    }
  }
  return { written, expected };
}

/** Every source row arrived (or, merging, was there already), and the rollup counts every event. */
async function verifyCopy(
  target: Side,
  { before, written, expected }: { before: Counts; written: Counts; expected: Counts },
  merge: boolean,
): Promise<void> {
  for (const table of COPIED) {
    const now = await count(target, table);
    const want = merge ? (before[table] ?? 0) + (written[table] ?? 0) : (expected[table] ?? 0);
    if (now !== want || (!merge && written[table] !== expected[table]) || now < (expected[table] ?? 0)) {
      throw new ApikeyError(
        "E_INTERNAL",
        `The copy of ${getTableName(target.tables[table])} came out short.`,
        {
          details: { table: getTableName(target.tables[table]), expected: want, found: now },
        },
      );
    }
  }
  const events = await count(target, "usageEvents");
  const rolled = await target.count("SELECT coalesce(sum(requests), 0) FROM usage_daily");
  if (rolled !== events) {
    throw new ApikeyError("E_INTERNAL", "The rebuilt usage rollup does not count every event.", {
      details: { events, rollup: rolled },
    });
  }
}

/** Merging keys is only possible into a store with the same data key: the same slots, or none yet. */
async function refuseOtherDataKey(source: Side, target: Side, toName: string): Promise<void> {
  const slots = async (s: Side) =>
    (await s.db.select().from(s.tables.masterKeySlots)) as Array<{ id: string; wrappedDek: Uint8Array }>;
  const theirs = await slots(target);
  if (theirs.length === 0) return;
  const ours = new Map((await slots(source)).map((s) => [s.id, s.wrappedDek]));
  const shared = theirs.some((t) => {
    const mine = ours.get(t.id);
    return mine !== undefined && sameBytes(mine, t.wrappedDek);
  });
  if (!shared) {
    throw new ApikeyError(
      "E_USAGE",
      `The store at ${toName} was created with another data key: its keys and these cannot share one store.`,
      {
        details: { target: toName, reason: "different_data_key" },
      },
    );
  }
}

/** Copies one table; returns how many rows the target took. */
async function copyTable(source: Side, target: Side, table: Copied, merge: boolean): Promise<number> {
  const from = source.tables[table];
  const into = target.tables[table];
  const columns = Object.keys(into).length;
  const batch = Math.max(1, Math.floor(MAX_PARAMS[target.dialect] / Math.max(columns, 1)));
  let written = 0;
  const write = async (rows: Record<string, unknown>[]) => {
    for (let i = 0; i < rows.length; i += batch) {
      let slice = rows.slice(i, i + batch);
      // Profiles first without their active key (it points into keys, copied next).
      if (table === "profiles") slice = slice.map((r) => ({ ...r, activeKeyId: null }));
      const query = target.db.insert(into).values(slice);
      const inserted = (await (merge ? query.onConflictDoNothing() : query).returning({
        one: sql`1`,
      })) as unknown[];
      written += inserted.length;
    }
  };
  if (!PAGED.has(table)) {
    await write(await source.db.select().from(from));
    return written;
  }
  let last = 0;
  for (;;) {
    const page = (await source.db
      .select()
      .from(from)
      .where(gt(from.id, last))
      .orderBy(asc(from.id))
      .limit(PAGE)) as Array<Record<string, unknown> & { id: number }>;
    if (page.length === 0) break;
    await write(page);
    last = page[page.length - 1]?.id ?? last;
    if (page.length < PAGE) break;
  }
  return written;
}

async function restoreActiveKeys(source: Side, target: Side): Promise<void> {
  const rows = (await source.db.select().from(source.tables.profiles)) as Array<{
    name: string;
    activeKeyId: string | null;
  }>;
  const t = target.tables.profiles;
  for (const row of rows) {
    if (row.activeKeyId === null) continue;
    await target.db
      .update(t)
      .set({ activeKeyId: row.activeKeyId })
      .where(sql`${t.name} = ${row.name} AND ${t.activeKeyId} IS NULL`);
  }
}
