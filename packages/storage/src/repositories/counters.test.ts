import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { COUNTER_KEYS } from "@apikey/core/store";
import { getTableColumns } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as pg from "../pg/schema.ts";
import * as sqlite from "../schema.ts";
import { DAILY_FIGURES } from "./usage-rollup.ts";

// Issue 21: the usage counters are defined once (core/src/usage/counts.ts). Storage builds its aggregates, upserts
// and bulk inserts from that list and the roll-up rule; only the Drizzle schemas spell the columns, because
// drizzle-kit generates the migrations from static modules. So: the schemas must hold exactly the derived columns,
// and no other storage or core usage module may list a counter by name.

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe("issue 21: one definition of the usage counters", () => {
  for (const [dialect, schema] of [
    ["SQLite", sqlite],
    ["PostgreSQL", pg],
  ] as const) {
    it(`${dialect}: usage_events and usage_daily hold exactly the columns derived from the one list`, () => {
      const events = getTableColumns(schema.usageEvents);
      const daily = getTableColumns(schema.usageDaily);
      expect(Object.keys(events)).toEqual([
        "id",
        "keyId",
        "at",
        "model",
        ...COUNTER_KEYS,
        "costUsd",
        "requestId",
        "front",
        "tokenId",
      ]);
      expect(Object.keys(daily)).toEqual(["day", "keyId", "model", ...DAILY_FIGURES.map((f) => f.key)]);
      for (const k of COUNTER_KEYS) {
        expect(events[k].name).toBe(snake(k));
        expect(daily[k].name).toBe(snake(k));
      }
    });
  }

  it("no storage module but the schemas, and no core usage module but counts.ts and the price table, names a counter", () => {
    const root = fileURLToPath(new URL("../../../../", import.meta.url));
    const names = new RegExp(`\\b(${COUNTER_KEYS.flatMap((k) => [k, snake(k)]).join("|")})\\b`);
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? e.name === "testing"
            ? []
            : sources(join(dir, e.name))
          : /\.ts$/.test(e.name) && !/\.test\.ts$|contract\.ts$|\.generated\.ts$/.test(e.name)
            ? [join(dir, e.name)]
            : [],
      );
    const allowed = new Set([
      "packages/storage/src/schema.ts",
      "packages/storage/src/pg/schema.ts",
      // Split from the schemas above only for length (schema.ts re-exports it): still a schema.
      "packages/storage/src/schema-reported-daily.ts",
      "packages/storage/src/pg/schema-reported-daily.ts",
      "packages/core/src/usage/counts.ts",
      // Each counter's price: the rates are another vocabulary, one field per counter.
      "packages/core/src/usage/prices.ts",
      // Anthropic's usage report has its own vocabulary (uncached input, cache writes split by lifetime, web
      // searches): the one place its columns are summed into the counters is a translation, not a second list.
      "packages/storage/src/repositories/usage-reported.ts",
    ]);
    const files = [
      ...sources(join(root, "packages/storage/src")),
      ...sources(join(root, "packages/core/src/usage")),
    ].map((f) => relative(root, f));
    expect(files.length).toBeGreaterThan(30);
    const offending = files.filter((f) => !allowed.has(f) && names.test(readFileSync(join(root, f), "utf8")));
    expect(offending).toEqual([]);
  });
});
