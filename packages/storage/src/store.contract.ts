// The Store port's behaviour, written once and run against every driver (lucia's adapter-test pattern): both
// SQLite drivers, PGlite and a real PostgreSQL server. What only a file-backed SQLite store can show (file modes,
// damaged or unwritable files, upgrades from its own older schemas) is in describeSqliteStoreContract below:
// the shared contract keeps the same tests, and so the same count, on every driver.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GatewayTokenRecord, Store } from "@apikey/core/store";
import { propertySeed, seededRandom } from "@apikey/core/testing";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StoreDriver } from "./drivers/types.ts";
import { connect, openStore } from "./index.ts";
import { migrations } from "./migrations.generated.ts";
import { openStoreWith } from "./open.ts";
import type { ContractPlace, ContractTarget } from "./testing/contract-target.ts";
import {
  at,
  fakeAudit,
  fakeKey,
  fakeMeta,
  fakeSlot,
  makeDirReadOnly,
  T0,
  tempDir,
} from "./testing/fixtures.ts";

const mode = (path: string) => statSync(path).mode & 0o777;

/** The store every contract test starts with, holding profile "default". */
const MAIN = "main";

// The usage rollup's fixtures: deterministic events and the reports they must produce, computed from the events.
type NewEvent = Parameters<Store["usage"]["record"]>[0];
type Window = { since: Date; until?: Date; keyId?: string };
type Row = Awaited<ReturnType<Store["usage"]["summarise"]>>[number];
const DAY = 86_400_000;
const day0 = Date.UTC(2026, 2, 1);
const on = (days: number, ms = 0) => new Date(day0 + days * DAY + ms);
const MODELS = ["claude-sonnet-4-5", "claude-haiku-4-5", "mystery-model", "claude-opus-4-5"];
const BY = ["day", "model", "key"] as const;

/** Events from day -1 to day 5, some exactly at midnight; "mystery-model" is unpriced. */
function makeEvents(keyIds: string[], n: number, seed: number): NewEvent[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  return Array.from({ length: n }, () => {
    const model = pick(MODELS);
    const day = Math.floor(rnd() * 7) - 1;
    return {
      keyId: pick(keyIds),
      at: on(day, rnd() < 0.1 ? 0 : Math.floor(rnd() * DAY)),
      model,
      inputTokens: Math.floor(rnd() * 5000),
      outputTokens: Math.floor(rnd() * 2000),
      cacheCreationTokens: Math.floor(rnd() * 300),
      cacheReadTokens: Math.floor(rnd() * 900),
      costUsd: model === "mystery-model" ? null : rnd() / 10,
      requestId: null,
      front: "api",
    };
  });
}

/** What the store must answer, computed from the events alone. */
function bruteForce(events: NewEvent[], w: Window, by: (typeof BY)[number]): Row[] {
  const groups = new Map<string, Row>();
  for (const e of events) {
    if (e.at < w.since || (w.until && e.at >= w.until) || (w.keyId && e.keyId !== w.keyId)) continue;
    const group = by === "day" ? e.at.toISOString().slice(0, 10) : by === "model" ? e.model : e.keyId;
    const g = groups.get(group) ?? {
      group,
      requests: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      costUsd: 0,
      unpricedRequests: 0,
    };
    g.requests += 1;
    g.inputTokens += e.inputTokens;
    g.outputTokens += e.outputTokens;
    g.cacheCreationTokens += e.cacheCreationTokens;
    g.cacheReadTokens += e.cacheReadTokens;
    g.costUsd += e.costUsd ?? 0;
    g.unpricedRequests += e.costUsd === null ? 1 : 0;
    groups.set(group, g);
  }
  return [...groups.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

// Counts are exact; costs are float sums added in another order, so equal to rounding.
function expectSame<R extends { costUsd: number }>(actual: R[], expected: R[]): void {
  expect(actual.map((r) => ({ ...r, costUsd: 0 }))).toEqual(expected.map((r) => ({ ...r, costUsd: 0 })));
  for (const [i, r] of actual.entries()) {
    expect(r.costUsd).toBeCloseTo(expected[i]?.costUsd ?? Number.NaN, 9);
  }
}

async function expectReportsMatch(events: NewEvent[], keyIds: string[], s: Store) {
  const windows: Window[] = [
    { since: on(0), until: on(3) },
    { since: on(-1) },
    { since: on(2), until: on(6), keyId: keyIds[1] },
    { since: on(-30), keyId: keyIds[0] },
    // Not whole days: answered from the events.
    { since: on(0, 5 * 3_600_000), until: on(4, 1) },
  ];
  for (const w of windows) {
    for (const by of BY) expectSame(await s.usage.summarise({ ...w, by }), bruteForce(events, w, by));
    const spend = bruteForce(events, w, "key").map((r) => ({
      keyId: r.group,
      requests: r.requests,
      costUsd: r.costUsd,
      unpricedRequests: r.unpricedRequests,
    }));
    expectSame(await s.usage.spendByKey(w), spend);
  }
}

async function seedKeys(n: number, s: Store): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = fakeKey({ name: `rollup-${i}`, fingerprint: `fp-rollup-${i}` });
    await s.keys.insert(key);
    ids.push(key.id);
  }
  return ids;
}

export function describeStoreContract(target: ContractTarget): void {
  describe(`Store contract: ${target.name}`, () => {
    let place: ContractPlace;
    let store: Store;
    const open = (name = MAIN) => place.open(name);

    beforeEach(async () => {
      place = await target.place();
      store = await open();
      await store.profiles.create({ name: "default", activeKeyId: null, createdAt: T0 });
    });
    afterEach(async () => {
      await store.close();
      await place.cleanup();
    });

    describe("keys", () => {
      it("inserts and reads back every field", async () => {
        const key = fakeKey({ organization: "org-test", monthlyBudgetUsd: 12.5, lastUsedAt: at(1) });
        await store.keys.insert(key);
        expect(await store.keys.byId(key.id)).toEqual(key);
        expect(await store.keys.byFingerprint(key.fingerprint)).toEqual(key);
        expect(await store.keys.byName("default", "test-key")).toEqual(key);
      });

      it("returns null for what is not there", async () => {
        expect(await store.keys.byId("missing")).toBeNull();
        expect(await store.keys.byName("default", "missing")).toBeNull();
        expect(await store.keys.byFingerprint("fp-missing")).toBeNull();
        expect(await store.keys.list()).toEqual([]);
      });

      it("updates only the patched fields", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        const ciphertext = new Uint8Array(randomBytes(40));
        await store.keys.update(key.id, {
          name: "renamed-key",
          status: "disabled",
          ciphertext,
          validation: "valid",
          lastValidatedAt: at(5),
          monthlyBudgetUsd: 3,
          organization: undefined,
        });
        await store.keys.update(key.id, {});
        expect(await store.keys.byId(key.id)).toEqual({
          ...key,
          name: "renamed-key",
          status: "disabled",
          ciphertext,
          validation: "valid",
          lastValidatedAt: at(5),
          monthlyBudgetUsd: 3,
        });
        await store.keys.update(key.id, { monthlyBudgetUsd: null });
        expect((await store.keys.byId(key.id))?.monthlyBudgetUsd).toBeNull();
      });

      it("deletes, and deleting nothing is not an error", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        await store.keys.delete(key.id);
        await store.keys.delete(key.id);
        expect(await store.keys.byId(key.id)).toBeNull();
      });

      it("lists by profile, then name, and filters by profile", async () => {
        await store.profiles.create({ name: "prod", activeKeyId: null, createdAt: T0 });
        await store.keys.insert(fakeKey({ profile: "prod", name: "b-key" }));
        await store.keys.insert(fakeKey({ profile: "default", name: "z-key" }));
        await store.keys.insert(fakeKey({ profile: "prod", name: "a-key" }));
        await store.keys.insert(fakeKey({ profile: "default", name: "c-key" }));
        const all = await store.keys.list();
        expect(all.map((k) => `${k.profile}/${k.name}`)).toEqual([
          "default/c-key",
          "default/z-key",
          "prod/a-key",
          "prod/b-key",
        ]);
        const prod = await store.keys.list({ profile: "prod" });
        expect(prod.map((k) => k.name)).toEqual(["a-key", "b-key"]);
      });

      it("issue 25: lists only the rows sealed before a version when asked, in list order, with the profile filter", async () => {
        await store.profiles.create({ name: "prod", activeKeyId: null, createdAt: T0 });
        await store.keys.insert(fakeKey({ profile: "prod", name: "b-legacy", seal: 1 }));
        await store.keys.insert(fakeKey({ profile: "default", name: "current" }));
        await store.keys.insert(fakeKey({ profile: "default", name: "a-legacy", seal: 1 }));
        expect(
          (await store.keys.list({ sealBelow: 2 })).map((k) => `${k.profile}/${k.name}/${k.seal}`),
        ).toEqual(["default/a-legacy/1", "prod/b-legacy/1"]);
        expect((await store.keys.list({ profile: "prod", sealBelow: 2 })).map((k) => k.name)).toEqual([
          "b-legacy",
        ]);
        expect(await store.keys.list({ sealBelow: 1 })).toEqual([]);
        expect(await store.keys.list({ sealBelow: 3 })).toHaveLength(3);
      });

      it("lets a rotated key keep its name beside its successor; byName skips the rotated one", async () => {
        const old = fakeKey({ status: "rotated" });
        const successor = fakeKey({ rotatedFromId: old.id });
        await store.keys.insert(old);
        await store.keys.insert(successor);
        await store.keys.update(old.id, { rotatedToId: successor.id });
        expect((await store.keys.byName("default", "test-key"))?.id).toBe(successor.id);
        expect((await store.keys.byId(old.id))?.rotatedToId).toBe(successor.id);
        // A second rotated key of the same name is fine too.
        await store.keys.insert(fakeKey({ status: "rotated" }));
        expect(await store.keys.list()).toHaveLength(3);
      });

      it("refuses two live keys with one name in one profile (E_NAME_TAKEN)", async () => {
        await store.keys.insert(fakeKey());
        const err = await store.keys.insert(fakeKey({ status: "disabled" })).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: "E_NAME_TAKEN" });
        expect(target.isUniqueViolation(err)).toBe(true);
        await store.profiles.create({ name: "prod", activeKeyId: null, createdAt: T0 });
        await store.keys.insert(fakeKey({ profile: "prod" }));
      });

      it("refuses a second key with the same fingerprint (E_KEY_DUPLICATE)", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        await store.profiles.create({ name: "prod", activeKeyId: null, createdAt: T0 });
        const err = await store.keys
          .insert(fakeKey({ profile: "prod", name: "other-key", fingerprint: key.fingerprint }))
          .catch((e: unknown) => e);
        expect(err).toMatchObject({ code: "E_KEY_DUPLICATE" });
        expect(target.isUniqueViolation(err, "keys.fingerprint")).toBe(true);
      });

      it("refuses a key in a profile that does not exist (E_PROFILE_NOT_FOUND)", async () => {
        await expect(store.keys.insert(fakeKey({ profile: "nope" }))).rejects.toMatchObject({
          code: "E_PROFILE_NOT_FOUND",
        });
      });

      it("never puts query parameters in error messages", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        const err = (await store.keys
          .insert({ ...fakeKey(), fingerprint: key.fingerprint })
          .catch((e) => e)) as Error;
        expect(err.message).not.toContain(key.fingerprint);
        expect(String((err.cause as Error).message)).not.toContain(key.fingerprint);
      });
    });

    describe("profiles", () => {
      it("creates, gets, lists by name and deletes", async () => {
        await store.profiles.create({ name: "staging", activeKeyId: null, createdAt: at(2) });
        await store.profiles.create({ name: "prod", activeKeyId: null, createdAt: at(1) });
        expect(await store.profiles.get("prod")).toEqual({
          name: "prod",
          activeKeyId: null,
          createdAt: at(1),
        });
        expect(await store.profiles.get("missing")).toBeNull();
        expect((await store.profiles.list()).map((p) => p.name)).toEqual(["default", "prod", "staging"]);
        await store.profiles.delete("staging");
        expect(await store.profiles.get("staging")).toBeNull();
      });

      it("refuses a duplicate profile (E_PROFILE_EXISTS)", async () => {
        await expect(
          store.profiles.create({ name: "default", activeKeyId: null, createdAt: T0 }),
        ).rejects.toMatchObject({ code: "E_PROFILE_EXISTS" });
      });

      it("sets and clears the active key; deleting the key clears it (ON DELETE SET NULL)", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        await store.profiles.setActiveKey("default", key.id);
        expect((await store.profiles.get("default"))?.activeKeyId).toBe(key.id);
        await store.profiles.setActiveKey("default", null);
        expect((await store.profiles.get("default"))?.activeKeyId).toBeNull();
        await store.profiles.setActiveKey("default", key.id);
        await store.keys.delete(key.id);
        expect((await store.profiles.get("default"))?.activeKeyId).toBeNull();
      });

      it("refuses an active key that does not exist (E_KEY_NOT_FOUND)", async () => {
        await expect(store.profiles.setActiveKey("default", "missing")).rejects.toMatchObject({
          code: "E_KEY_NOT_FOUND",
        });
      });

      it("refuses to delete a profile that still holds keys (E_PROFILE_IN_USE)", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        await expect(store.profiles.delete("default")).rejects.toMatchObject({ code: "E_PROFILE_IN_USE" });
        await store.keys.delete(key.id);
        await store.profiles.delete("default");
        expect(await store.profiles.list()).toEqual([]);
      });
    });

    describe("audit", () => {
      it("appends and lists newest first, with limit and filters", async () => {
        await store.audit.append(fakeAudit({ at: at(1), action: "first", keyId: "key-a" }));
        await store.audit.append(fakeAudit({ at: at(3), action: "third", keyId: "key-b" }));
        await store.audit.append(fakeAudit({ at: at(2), action: "second", keyId: "key-a" }));
        await store.audit.append(fakeAudit({ at: at(3), action: "fourth", keyId: null, profile: null }));
        const all = await store.audit.list();
        expect(all.map((e) => e.action)).toEqual(["fourth", "third", "second", "first"]);
        expect(all[0]).toMatchObject({ keyId: null, profile: null, details: { name: "test-key" } });
        expect(typeof all[0]?.id).toBe("number");
        expect((await store.audit.list({ limit: 2 })).map((e) => e.action)).toEqual(["fourth", "third"]);
        expect((await store.audit.list({ keyId: "key-a" })).map((e) => e.action)).toEqual([
          "second",
          "first",
        ]);
        expect((await store.audit.list({ since: at(2) })).map((e) => e.action)).toEqual([
          "fourth",
          "third",
          "second",
        ]);
        expect((await store.audit.list({ keyId: "key-a", since: at(2), limit: 5 })).length).toBe(1);
      });

      it("keeps entries about a key after the key is deleted", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        await store.audit.append(
          fakeAudit({ keyId: key.id, details: { nested: { count: 2 }, list: [1, "a"] } }),
        );
        await store.keys.delete(key.id);
        const [entry] = await store.audit.list({ keyId: key.id });
        expect(entry?.details).toEqual({ nested: { count: 2 }, list: [1, "a"] });
      });
    });

    describe("meta", () => {
      it("is null until set, then round-trips and replaces", async () => {
        expect(await store.getMeta()).toBeNull();
        const meta = fakeMeta();
        await store.setMeta(meta);
        expect(await store.getMeta()).toEqual(meta);
        const updated = fakeMeta({ updatedAt: at(9) });
        await store.setMeta(updated);
        expect(await store.getMeta()).toEqual(updated);
      });
    });

    describe("master-key slots", () => {
      it("round-trip every field, list in creation order, find by name, touch and delete", async () => {
        expect(await store.slots.list()).toEqual([]);
        const a = fakeSlot({ name: "env", createdAt: at(1) });
        const b = fakeSlot({
          name: "passphrase",
          kind: "passphrase",
          params: { name: "scrypt", N: 16384, r: 8, p: 1, salt: "dGVzdC1zYWx0" },
          createdAt: at(2),
        });
        await store.slots.insert(b);
        await store.slots.insert(a);
        expect(await store.slots.list()).toEqual([a, b]);
        expect(await store.slots.byName("passphrase")).toEqual(b);
        expect(await store.slots.byName("missing")).toBeNull();
        await store.slots.touch(a.id, at(5));
        expect((await store.slots.byName("env"))?.lastUsedAt).toEqual(at(5));
        await store.slots.delete(a.id);
        expect(await store.slots.list()).toEqual([b]);
      });

      it("refuses two slots with one name", async () => {
        await store.slots.insert(fakeSlot({ name: "dup" }));
        await expect(store.slots.insert(fakeSlot({ name: "dup" }))).rejects.toThrow();
        expect(await store.slots.list()).toHaveLength(1);
      });
    });

    describe("marks", () => {
      it("are claimed many at once: each distinct name set once, across connections (issue 22 item 11)", async () => {
        const other = await open();
        try {
          expect(await store.marks.claimMany(["b:1", "b:2", "b:1"], at(1))).toEqual(new Set(["b:1", "b:2"]));
          expect(await other.marks.claimMany(["b:2", "b:3"], at(2))).toEqual(new Set(["b:3"]));
          expect(await store.marks.claim("b:3", at(3))).toBe(false);
          expect(await other.marks.claimMany([], at(4))).toEqual(new Set());
          const many = Array.from({ length: 1203 }, (_, n) => `b:many:${n}`);
          expect((await store.marks.claimMany(many, at(5))).size).toBe(1203);
          expect((await other.marks.claimMany(many.slice(1200).concat("b:new"), at(6))).size).toBe(1);
        } finally {
          await other.close();
        }
      });

      it("are claimed once across connections and pruned by age", async () => {
        const other = await open();
        try {
          expect(await store.marks.claim("slack:req:1", at(1))).toBe(true);
          expect(await other.marks.claim("slack:req:1", at(2))).toBe(false);
          expect(await store.marks.claim("slack:req:1", at(3))).toBe(false);
          expect(await other.marks.claim("slack:req:2", at(10))).toBe(true);
          expect(await store.marks.prune(at(5))).toBe(1);
          expect(await store.marks.claim("slack:req:1", at(11))).toBe(true);
        } finally {
          await other.close();
        }
      });
    });

    describe("reported usage (issue 24)", () => {
      type Reported = Parameters<Store["reportedUsage"]["replaceRange"]>[3][number];
      const HOUR = 3_600_000;
      const row = (over: Partial<Reported> = {}): Reported => ({
        org: "org-a",
        orgKeyId: "apikey_01",
        model: "claude-sonnet-4-5",
        bucketStart: at(0),
        bucketMinutes: 60,
        keyId: null,
        uncachedInputTokens: 100,
        cacheCreation5mTokens: 10,
        cacheCreation1hTokens: 5,
        cacheReadTokens: 50,
        outputTokens: 20,
        webSearchRequests: 1,
        costUsd: 0.25,
        syncedAt: at(1),
        ...over,
      });
      const hour = (n: number) => new Date(T0.getTime() + n * HOUR);

      it("sums per organization key over a window, keeping unmatched keys, Workbench rows and unpriced rows", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        await store.reportedUsage.replaceRange("org-a", hour(0), hour(3), [
          row({ bucketStart: hour(0), keyId: key.id }),
          row({ bucketStart: hour(1), keyId: key.id, model: "claude-haiku-4-5", costUsd: 0.5 }),
          row({ bucketStart: hour(2), keyId: key.id, outputTokens: 3_000_000_000 }),
          row({ bucketStart: hour(1), orgKeyId: "apikey_02", model: "mystery", costUsd: null }),
          row({ bucketStart: hour(1), orgKeyId: "" }),
        ]);
        const totals = await store.reportedUsage.totalsByKey({ since: hour(0), until: hour(2) });
        expect(totals).toEqual([
          {
            org: "org-a",
            orgKeyId: "",
            keyId: null,
            inputTokens: 100,
            outputTokens: 20,
            cacheCreationTokens: 15,
            cacheReadTokens: 50,
            webSearchRequests: 1,
            costUsd: 0.25,
            unpricedRows: 0,
          },
          expect.objectContaining({ orgKeyId: "apikey_01", keyId: key.id, inputTokens: 200, costUsd: 0.75 }),
          expect.objectContaining({ orgKeyId: "apikey_02", keyId: null, costUsd: 0, unpricedRows: 1 }),
        ]);
        const all = await store.reportedUsage.totalsByKey({ since: hour(0) });
        // Past 2^31: a busy key's month of tokens must not wrap.
        expect(all.find((t) => t.orgKeyId === "apikey_01")?.outputTokens).toBe(3_000_000_040);
      });

      it("replaces exactly the range it is given: minutes by hours, other organizations and hours untouched", async () => {
        const minutes = Array.from({ length: 900 }, (_, m) =>
          row({ bucketStart: new Date(hour(10).getTime() + m * 60_000), bucketMinutes: 1, outputTokens: 1 }),
        );
        await store.reportedUsage.replaceRange("org-a", hour(10), hour(25), minutes);
        await store.reportedUsage.replaceRange("org-a", hour(9), hour(10), [row({ bucketStart: hour(9) })]);
        await store.reportedUsage.replaceRange("org-b", hour(10), hour(11), [
          row({ org: "org-b", bucketStart: hour(10) }),
        ]);
        const output = async (org: string) =>
          (await store.reportedUsage.totalsByKey({ since: hour(0) })).find((t) => t.org === org)
            ?.outputTokens;
        expect(await output("org-a")).toBe(920);
        // The same hours again, now as hourly buckets: the minutes they cover go, the hour before stays.
        const hours = [10, 11, 12].map((h) => row({ bucketStart: hour(h), outputTokens: 7 }));
        await store.reportedUsage.replaceRange("org-a", hour(10), hour(13), hours);
        // 20 (hour 9) + 3 × 7 (hours 10-12) + the 720 minutes of hours 13-24.
        expect(await output("org-a")).toBe(20 + 21 + 720);
        await store.reportedUsage.replaceRange("org-a", hour(10), hour(13), hours);
        expect(await output("org-a")).toBe(761);
        expect(await output("org-b")).toBe(20);
      });

      // On an hour boundary, as the report's buckets are.
      const H0 = new Date("2026-03-01T00:00:00.000Z").getTime();
      const h = (n: number) => new Date(H0 + n * HOUR);

      it("issue 24: buckets of reported usage per stored key (models summed), and spend per key", async () => {
        const a = fakeKey({ name: "hours-a", fingerprint: "fp-hours-a" });
        const b = fakeKey({ name: "hours-b", fingerprint: "fp-hours-b" });
        const minute = (n: number, m: number) => new Date(h(n).getTime() + m * 60_000);
        await store.reportedUsage.replaceRange("org-a", h(0), h(30), [
          row({ bucketStart: h(1), keyId: a.id, costUsd: 1 }),
          row({ bucketStart: h(1), keyId: a.id, model: "claude-haiku-4-5", costUsd: null }),
          row({ bucketStart: minute(26, 5), bucketMinutes: 1, keyId: a.id, costUsd: 0.5 }),
          row({ bucketStart: minute(26, 59), bucketMinutes: 1, keyId: a.id, costUsd: 0.5 }),
          row({ bucketStart: h(2), keyId: b.id, orgKeyId: "apikey_b", costUsd: 2 }),
          row({ bucketStart: h(3), orgKeyId: "apikey_stranger", costUsd: 9 }),
        ]);
        const buckets = await store.reportedUsage.buckets({ since: h(0), keyIds: [a.id] });
        const of = (bucketStart: Date, bucketMinutes: number, tokens: number, costUsd: number) => ({
          org: "org-a",
          orgKeyId: "apikey_01",
          keyId: a.id,
          bucketStart,
          bucketMinutes,
          tokens,
          costUsd,
        });
        // 100 + 10 + 5 + 50 + 20 tokens a row; an hour's models summed, an unpriced one adding no cost.
        expect(buckets).toEqual([
          of(h(1), 60, 370, 1),
          of(minute(26, 5), 1, 185, 0.5),
          of(minute(26, 59), 1, 185, 0.5),
        ]);
        expect(
          await store.reportedUsage.buckets({ since: h(2), until: minute(26, 59), keyIds: [a.id] }),
        ).toEqual([of(minute(26, 5), 1, 185, 0.5)]);
        expect(await store.reportedUsage.buckets({ since: h(0), keyIds: [] })).toEqual([]);
        const spend = await store.reportedUsage.spendByKey({ since: h(0) });
        expect(spend).toEqual(
          [
            { keyId: a.id, costUsd: 2 },
            { keyId: b.id, costUsd: 2 },
          ].sort((x, y) => (x.keyId < y.keyId ? -1 : 1)),
        );
        expect(await store.reportedUsage.spendByKey({ since: h(2), keyId: a.id })).toEqual([
          { keyId: a.id, costUsd: 1 },
        ]);
      });

      it("issue 24: the hours in which keys have recorded usage", async () => {
        const a = fakeKey({ name: "rec-a", fingerprint: "fp-rec-a" });
        const b = fakeKey({ name: "rec-b", fingerprint: "fp-rec-b" });
        await store.keys.insert(a);
        await store.keys.insert(b);
        const ev = (keyId: string, at: Date) => ({
          keyId,
          at,
          model: "claude-sonnet-4-5",
          inputTokens: 1,
          outputTokens: 1,
          cacheCreationTokens: 0,
          cacheReadTokens: 0,
          costUsd: 0.01,
          requestId: null,
          front: "proxy",
        });
        await store.transaction((tx) =>
          tx.usage.recordMany([
            ev(a.id, new Date(h(1).getTime() + 60_000)),
            ev(a.id, new Date(h(1).getTime() + 59 * 60_000)),
            ev(a.id, h(5)),
            ev(b.id, h(2)),
          ]),
        );
        // With the first and last moment recorded in each hour (a stream across the hour: see findings/detect.ts).
        const first = new Date(h(1).getTime() + 60_000);
        const last = new Date(h(1).getTime() + 59 * 60_000);
        expect(await store.usage.hoursWithUsage({ since: h(0), keyIds: [a.id] })).toEqual([
          { keyId: a.id, hour: h(1), first, last },
          { keyId: a.id, hour: h(5), first: h(5), last: h(5) },
        ]);
        expect(await store.usage.hoursWithUsage({ since: h(0), until: h(5), keyIds: [a.id, b.id] })).toEqual(
          [
            { keyId: a.id, hour: h(1), first, last },
            { keyId: b.id, hour: h(2), first: h(2), last: h(2) },
          ].sort((x, y) =>
            x.keyId < y.keyId ? -1 : x.keyId > y.keyId ? 1 : x.hour.getTime() - y.hour.getTime(),
          ),
        );
        expect(await store.usage.hoursWithUsage({ since: h(0), keyIds: [] })).toEqual([]);
      });

      it("commits with the transaction it runs in, or not at all, and counts as another process's write", async () => {
        const other = await open();
        try {
          const before = await store.dataVersion();
          await expect(
            other.transaction(async (tx) => {
              await tx.reportedUsage.replaceRange("org-a", hour(0), hour(1), [row()]);
              throw new Error("killed mid-page");
            }),
          ).rejects.toThrow("killed mid-page");
          expect(await store.reportedUsage.totalsByKey({ since: hour(0) })).toEqual([]);
          await other.transaction((tx) => tx.reportedUsage.replaceRange("org-a", hour(0), hour(1), [row()]));
          expect(await store.reportedUsage.totalsByKey({ since: hour(0) })).toHaveLength(1);
          expect(await store.dataVersion()).not.toBe(before);
        } finally {
          await other.close();
        }
      });
    });

    describe("reported usage rollup (issue 24)", () => {
      type Reported = Parameters<Store["reportedUsage"]["replaceRange"]>[3][number];
      const DAY = 86_400_000;
      const D0 = new Date("2026-03-01T00:00:00.000Z").getTime();
      const dayOfSql =
        target.dialect === "sqlite"
          ? "bucket_start / 86400000"
          : "floor(extract(epoch from bucket_start) * 1000 / 86400000)::integer";
      const figures =
        "sum(uncached_input_tokens), sum(cache_creation_5m_tokens), sum(cache_creation_1h_tokens), " +
        "sum(cache_read_tokens), sum(output_tokens), sum(web_search_requests), coalesce(sum(cost_usd), 0), " +
        "count(*) - count(cost_usd)";
      const rollupColumns =
        "day, org, org_key_id, key_id, model, uncached_input_tokens, cache_creation_5m_tokens, " +
        "cache_creation_1h_tokens, cache_read_tokens, output_tokens, web_search_requests, cost_usd, unpriced_rows";
      const grouped = `SELECT ${dayOfSql}, org, org_key_id, key_id, model, ${figures} FROM usage_reported GROUP BY 1, 2, 3, 4, 5`;
      /** Rows in one and not the other, both ways: 0 when the rollup is exactly the GROUP BY of the raw rows. */
      const rollupDrift = async (name = MAIN) =>
        Number(
          await place.sql(
            name,
            `SELECT (SELECT count(*) FROM (SELECT ${rollupColumns} FROM usage_reported_daily EXCEPT ${grouped}) a) + ` +
              `(SELECT count(*) FROM (${grouped} EXCEPT SELECT ${rollupColumns} FROM usage_reported_daily) b)`,
          ),
        );
      const byTotals = (rows: Awaited<ReturnType<Store["reportedUsage"]["totalsByKey"]>>) =>
        [...rows].sort((x, y) =>
          `${x.org} ${x.orgKeyId} ${x.keyId}` < `${y.org} ${y.orgKeyId} ${y.keyId}` ? -1 : 1,
        );
      /** Whole days (the rollup) answer as the same window read from the raw rows (a millisecond before). */
      const expectRollupAnswersAsRaw = async (s: Store, sinceDay: number, untilDay?: number) => {
        const whole = {
          since: new Date(D0 + sinceDay * DAY),
          ...(untilDay !== undefined && { until: new Date(D0 + untilDay * DAY) }),
        };
        const raw = {
          since: new Date(whole.since.getTime() - 1),
          ...(whole.until && { until: new Date(whole.until.getTime() - 1) }),
        };
        expect(byTotals(await s.reportedUsage.totalsByKey(whole))).toEqual(
          byTotals(await s.reportedUsage.totalsByKey(raw)),
        );
        expect(await s.reportedUsage.spendByKey(whole)).toEqual(await s.reportedUsage.spendByKey(raw));
      };

      // A server round trip per statement: PostgreSQL under a loaded machine needs more than the default 5 s.
      it("stays the GROUP BY of the raw rows through random syncs and re-syncs of overlapping ranges", {
        timeout: 60_000,
      }, async () => {
        const seed = propertySeed("reported usage rollup", 2424);
        const next = seededRandom(seed);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
        const int = (n: number) => Math.floor(next() * n);
        const a = fakeKey({ name: "rollup-a", fingerprint: "fp-rollup-a" });
        await store.keys.insert(a);
        const orgKeys: Array<[string, () => string | null]> = [
          // Matched on one sync and not the next (imported later, or deleted here): both stay visible.
          ["apikey_01", () => pick([a.id, null])],
          ["apikey_02", () => "key-elsewhere"],
          ["", () => null],
        ];
        const widths = [1, 60, 1440] as const;
        for (let op = 0; op < 24; op++) {
          const org = pick(["org-a", "org-b"]);
          const width = pick(widths);
          const count = width === 1 ? 1 + int(150) : width === 60 ? 1 + int(60) : 1 + int(3);
          const start = D0 + int(Math.floor((4 * DAY) / (width * 60_000))) * width * 60_000;
          const from = new Date(start);
          const until = new Date(start + count * width * 60_000);
          const rows: Reported[] = [];
          for (let b = 0; b < count; b++) {
            for (const [orgKeyId, keyId] of orgKeys) {
              for (const model of ["claude-sonnet-4-5", "claude-haiku-4-5"]) {
                if (next() < 0.5) continue;
                rows.push({
                  org,
                  orgKeyId,
                  model,
                  bucketStart: new Date(start + b * width * 60_000),
                  bucketMinutes: width,
                  keyId: keyId(),
                  uncachedInputTokens: int(1000),
                  cacheCreation5mTokens: int(50),
                  cacheCreation1hTokens: int(50),
                  cacheReadTokens: int(500),
                  outputTokens: int(300),
                  webSearchRequests: int(3),
                  // Quarters add up exactly in binary floating point, whatever order the sums take.
                  costUsd: next() < 0.1 ? null : int(40) / 4,
                  syncedAt: T0,
                });
              }
            }
          }
          // A sync's page: one transaction, as syncOrg runs it; sometimes the same page twice.
          const times = next() < 0.3 ? 2 : 1;
          for (let t = 0; t < times; t++)
            await store.transaction((tx) => tx.reportedUsage.replaceRange(org, from, until, rows));
          if (op % 6 === 5) expect(await rollupDrift(), `seed ${seed}, op ${op}`).toBe(0);
        }
        expect(await rollupDrift(), `seed ${seed}`).toBe(0);
        expect(Number(await place.sql(MAIN, "SELECT count(*) FROM usage_reported_daily"))).toBeGreaterThan(0);
        await expectRollupAnswersAsRaw(store, 0);
        await expectRollupAnswersAsRaw(store, 1, 3);
        await expectRollupAnswersAsRaw(store, 2, 5);
      });

      it("answers whole-day windows from the rollup", async () => {
        const row = (bucketStart: Date): Reported => ({
          org: "org-a",
          orgKeyId: "apikey_01",
          model: "claude-sonnet-4-5",
          bucketStart,
          bucketMinutes: 60,
          keyId: "key-elsewhere",
          uncachedInputTokens: 1,
          cacheCreation5mTokens: 0,
          cacheCreation1hTokens: 0,
          cacheReadTokens: 0,
          outputTokens: 1,
          webSearchRequests: 0,
          costUsd: 1,
          syncedAt: T0,
        });
        await store.reportedUsage.replaceRange("org-a", new Date(D0), new Date(D0 + DAY), [
          row(new Date(D0 + 3_600_000)),
        ]);
        await place.sql(
          MAIN,
          "UPDATE usage_reported_daily SET output_tokens = output_tokens + 1000, cost_usd = 7",
        );
        const [whole] = await store.reportedUsage.totalsByKey({ since: new Date(D0) });
        const [partial] = await store.reportedUsage.totalsByKey({ since: new Date(D0 + 1) });
        expect(whole?.outputTokens).toBe(1001);
        expect(partial?.outputTokens).toBe(1);
        expect(await store.reportedUsage.spendByKey({ since: new Date(D0) })).toEqual([
          { keyId: "key-elsewhere", costUsd: 7 },
        ]);
      });

      it("is filled by the migration for a store that held reported usage before it existed", async () => {
        const before = target.migrations.filter(
          (m) => !m.sql.some((s) => s.includes("usage_reported_daily")),
        );
        expect(before.length).toBe(target.migrations.length - 1);
        const s1 = await place.open("older", { migrations: before });
        await s1.close();
        const ms = (n: number) =>
          target.dialect === "sqlite" ? String(D0 + n) : `'${new Date(D0 + n).toISOString()}'`;
        const values: string[] = [];
        for (let i = 0; i < 60; i++) {
          const keyId = i % 3 === 0 ? "NULL" : `'key-${i % 2}'`;
          const cost = i % 7 === 0 ? "NULL" : String((i % 5) / 4);
          values.push(
            `('org-${i % 2}', 'apikey_0${i % 4}', 'model-${i % 3}', ${ms(i * 1_800_000)}, 60, ${keyId}, ${i}, 1, 2, 3, ${2 * i}, 0, ${cost}, ${ms(0)})`,
          );
        }
        await place.sql(
          "older",
          "INSERT INTO usage_reported (org, org_key_id, model, bucket_start, bucket_minutes, key_id, uncached_input_tokens, " +
            "cache_creation_5m_tokens, cache_creation_1h_tokens, cache_read_tokens, output_tokens, web_search_requests, " +
            `cost_usd, synced_at) VALUES ${values.join(", ")}`,
        );
        const s2 = await place.open("older", { migrations: target.migrations });
        try {
          expect(
            Number(await place.sql("older", "SELECT count(*) FROM usage_reported_daily")),
          ).toBeGreaterThan(0);
          expect(await rollupDrift("older")).toBe(0);
          await expectRollupAnswersAsRaw(s2, 0);
        } finally {
          await s2.close();
        }
      });
    });

    describe("data version", () => {
      it("changes when another connection commits, not for this store's own writes", async () => {
        const other = await open();
        try {
          const before = await store.dataVersion();
          await store.keys.insert(fakeKey());
          expect(await store.dataVersion()).toBe(before);
          await other.keys.insert(fakeKey({ name: "other-key" }));
          expect(await store.dataVersion()).not.toBe(before);
        } finally {
          await other.close();
        }
      });
    });

    describe("touchLastUsed", () => {
      it("moves last_used_at forward only", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        await store.keys.touchLastUsed(key.id, at(10));
        expect((await store.keys.byId(key.id))?.lastUsedAt).toEqual(at(10));
        await store.keys.touchLastUsed(key.id, at(5));
        expect((await store.keys.byId(key.id))?.lastUsedAt).toEqual(at(10));
        await store.keys.touchLastUsed(key.id, at(20));
        expect((await store.keys.byId(key.id))?.lastUsedAt).toEqual(at(20));
        await store.keys.touchLastUsed("missing", at(30));
      });
    });

    describe("oauth key fields", () => {
      it("stores and patches the encrypted refresh token, expiry and provider", async () => {
        const key = fakeKey({
          kind: "oauth",
          budgetMode: "block",
          refreshCiphertext: new Uint8Array(randomBytes(48)),
          refreshNonce: new Uint8Array(randomBytes(12)),
          expiresAt: at(3_600_000),
          oauthProvider: "test-idp",
        });
        await store.keys.insert(key);
        expect(await store.keys.byId(key.id)).toEqual(key);
        await store.keys.update(key.id, { refreshCiphertext: null, refreshNonce: null, expiresAt: null });
        expect(await store.keys.byId(key.id)).toMatchObject({
          refreshCiphertext: null,
          expiresAt: null,
          budgetMode: "block",
        });
      });
    });

    describe("usage", () => {
      it("records one event and many, and lists newest first with filters", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        const event = (offset: number, model = "claude-test") => ({
          keyId: key.id,
          at: at(offset),
          model,
          inputTokens: 10,
          outputTokens: 20,
          cacheCreationTokens: 3,
          cacheReadTokens: 4,
          costUsd: offset === 2 ? null : 0.001,
          requestId: `req_test_${offset}`,
          front: "api",
        });
        await store.usage.record(event(1));
        await store.transaction((tx) =>
          tx.usage.recordMany(Array.from({ length: 1200 }, (_, i) => event(10 + i))),
        );
        await store.usage.record(event(2, "unknown-model"));
        expect(await store.usage.list({ limit: 2 })).toMatchObject([{ at: at(1209) }, { at: at(1208) }]);
        expect(await store.usage.list({ since: at(1205) })).toHaveLength(5);
        expect((await store.usage.list()).length).toBe(1202);
        expect((await store.usage.list({ keyId: "other" })).length).toBe(0);
        const [unknown] = (await store.usage.list()).filter((e) => e.model === "unknown-model");
        expect(unknown).toMatchObject({ costUsd: null, requestId: "req_test_2", cacheReadTokens: 4 });
      });

      it("removes a key's events with the key", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        await store.usage.record({
          keyId: key.id,
          at: at(1),
          model: "m",
          inputTokens: 1,
          outputTokens: 1,
          cacheCreationTokens: 0,
          cacheReadTokens: 0,
          costUsd: null,
          requestId: null,
          front: "cli",
        });
        await store.keys.delete(key.id);
        expect(await store.usage.list()).toEqual([]);
      });
    });

    describe("usage reports", () => {
      const DAY = 86_400_000;
      const day0 = new Date("2026-03-01T00:00:00.000Z");
      const on = (days: number, hours = 0) => new Date(day0.getTime() + days * DAY + hours * 3_600_000);
      const event = (keyId: string, when: Date, model: string, costUsd: number | null, n = 1) => ({
        keyId,
        at: when,
        model,
        inputTokens: 10 * n,
        outputTokens: 20 * n,
        cacheCreationTokens: 3 * n,
        cacheReadTokens: 4 * n,
        costUsd,
        requestId: null,
        front: "api",
      });

      async function seed() {
        const a = fakeKey({ name: "key-a", fingerprint: "fp-usage-a" });
        const b = fakeKey({ name: "key-b", fingerprint: "fp-usage-b" });
        await store.keys.insert(a);
        await store.keys.insert(b);
        await store.transaction((tx) =>
          tx.usage.recordMany([
            event(a.id, on(0, 1), "claude-sonnet-4-5", 0.25),
            event(a.id, on(0, 23), "claude-haiku-4-5", 0.5, 2),
            event(a.id, on(1, 0), "mystery-model", null),
            event(b.id, on(1, 12), "claude-sonnet-4-5", 1),
            event(b.id, on(3, 0), "claude-sonnet-4-5", 2), // outside [day 0, day 3)
            event(b.id, on(-1, 23), "claude-sonnet-4-5", 4), // before the window
          ]),
        );
        return { a, b };
      }

      it("returns the new event's id from record", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        const first = await store.usage.record(event(key.id, on(0), "m", null));
        const second = await store.usage.record(event(key.id, on(0), "m", null));
        expect(second).toBeGreaterThan(first);
      });

      it("sums per UTC day, model and key inside [since, until), counting unpriced events", async () => {
        const { a, b } = await seed();
        const window = { since: on(0), until: on(3) };
        expect(await store.usage.summarise({ ...window, by: "day" })).toEqual([
          {
            group: "2026-03-01",
            requests: 2,
            inputTokens: 30,
            outputTokens: 60,
            cacheCreationTokens: 9,
            cacheReadTokens: 12,
            costUsd: 0.75,
            unpricedRequests: 0,
          },
          {
            group: "2026-03-02",
            requests: 2,
            inputTokens: 20,
            outputTokens: 40,
            cacheCreationTokens: 6,
            cacheReadTokens: 8,
            costUsd: 1,
            unpricedRequests: 1,
          },
        ]);
        const byModel = await store.usage.summarise({ ...window, by: "model" });
        expect(byModel.map((r) => [r.group, r.requests, r.costUsd, r.unpricedRequests])).toEqual([
          ["claude-haiku-4-5", 1, 0.5, 0],
          ["claude-sonnet-4-5", 2, 1.25, 0],
          ["mystery-model", 1, 0, 1],
        ]);
        const byKey = await store.usage.summarise({ ...window, by: "key" });
        expect(Object.fromEntries(byKey.map((r) => [r.group, r.requests]))).toEqual({ [a.id]: 3, [b.id]: 1 });
        const onlyB = await store.usage.summarise({ ...window, keyId: b.id, by: "model" });
        expect(onlyB).toMatchObject([{ group: "claude-sonnet-4-5", requests: 1, costUsd: 1 }]);
        expect(await store.usage.summarise({ since: on(10), by: "day" })).toEqual([]);
      });

      it("gives each key's spend over a window", async () => {
        const { a, b } = await seed();
        const spend = await store.usage.spendByKey({ since: on(0), until: on(3) });
        expect(spend).toHaveLength(2);
        expect(spend.find((s) => s.keyId === a.id)).toEqual({
          keyId: a.id,
          requests: 3,
          costUsd: 0.75,
          unpricedRequests: 1,
        });
        expect(spend.find((s) => s.keyId === b.id)).toMatchObject({ requests: 1, costUsd: 1 });
        expect(await store.usage.spendByKey({ since: on(-30), keyId: b.id })).toEqual([
          { keyId: b.id, requests: 3, costUsd: 7, unpricedRequests: 0 },
        ]);
        expect(await store.usage.spendByKey({ since: on(0), keyId: "missing" })).toEqual([]);
      });
    });

    describe("usage rollup", () => {
      it("answers whole-day reports and spend from the rollup exactly as from the events", async () => {
        const ids = await seedKeys(3, store);
        const events = makeEvents(ids, 400, 7);
        // Every write path: single records, batches inside a transaction (later ones add to existing rows),
        // and a batch outside one.
        for (const e of events.slice(0, 40)) await store.usage.record(e);
        for (let i = 40; i < 340; i += 100) {
          await store.transaction((tx) => tx.usage.recordMany(events.slice(i, i + 100)));
        }
        await store.usage.recordMany(events.slice(340));
        await expectReportsMatch(events, ids, store);
      });

      it("reads whole-day windows from the rollup, other windows from the events", async () => {
        const [id = ""] = await seedKeys(1, store);
        await store.usage.record(makeEvents([id], 1, 3)[0] as NewEvent);
        await place.sql(MAIN, "UPDATE usage_daily SET requests = requests + 1000");
        const [whole] = await store.usage.spendByKey({ since: on(-30) });
        const [partial] = await store.usage.spendByKey({ since: on(-30, 1) });
        expect(whole?.requests).toBe(1001);
        expect(partial?.requests).toBe(1);
      });

      it("removes a key's rollup rows with the key", async () => {
        const ids = await seedKeys(2, store);
        const events = makeEvents(ids, 60, 11);
        await store.usage.recordMany(events);
        const [gone = "", kept = ""] = ids;
        await store.keys.delete(gone);
        expect(await place.sql(MAIN, `SELECT count(*) FROM usage_daily WHERE key_id = '${gone}'`)).toBe(0);
        await expectReportsMatch(
          events.filter((e) => e.keyId === kept),
          [kept, kept],
          store,
        );
      });

      it("writes neither events nor rollup rows when a batch fails", async () => {
        const [id = ""] = await seedKeys(1, store);
        const events = [
          ...makeEvents([id], 20, 5),
          { ...(makeEvents([id], 1, 6)[0] as NewEvent), keyId: "missing" },
        ];
        await expect(store.usage.recordMany(events)).rejects.toBeDefined();
        await expect(store.usage.record(events.at(-1) as NewEvent)).rejects.toBeDefined();
        expect(await store.usage.list()).toEqual([]);
        expect(await place.sql(MAIN, "SELECT count(*) FROM usage_daily")).toBe(0);
      });
    });

    describe("pending deactivations", () => {
      it("adds, updates and lists by state in due order", async () => {
        const base = {
          keyId: "key-test-old",
          profile: "default",
          keyHint: "sk-ant-api03-…FAKE",
          upstreamId: null,
          state: "pending" as const,
          attempts: 0,
          lastError: null,
          createdAt: T0,
          updatedAt: T0,
        };
        const later = await store.deactivations.add({ ...base, dueAt: at(2000) });
        const sooner = await store.deactivations.add({ ...base, keyId: "key-test-other", dueAt: at(1000) });
        expect((await store.deactivations.list({ state: "pending" })).map((d) => d.id)).toEqual([
          sooner,
          later,
        ]);
        await store.deactivations.update(sooner, { state: "done", attempts: 1, updatedAt: at(5) });
        expect((await store.deactivations.list({ state: "pending" })).map((d) => d.id)).toEqual([later]);
        expect(await store.deactivations.list({ keyId: "key-test-other" })).toMatchObject([
          { state: "done", attempts: 1 },
        ]);
      });
    });

    describe("gateway tokens", () => {
      const token = (overrides: Partial<GatewayTokenRecord> = {}): GatewayTokenRecord => ({
        id: `tok-${randomBytes(4).toString("hex")}`,
        name: "alice",
        profile: "default",
        hash: randomBytes(32).toString("hex"),
        monthlyBudgetUsd: 25,
        budgetMode: "block",
        models: ["claude-haiku-*", "claude-sonnet-4-5"],
        expiresAt: at(86_400_000),
        createdAt: T0,
        updatedAt: T0,
        lastUsedAt: null,
        revokedAt: null,
        ...overrides,
      });

      it("inserts and reads back every field; null for what is not there", async () => {
        const a = token();
        const b = token({
          name: "ci-bot",
          profile: null,
          models: null,
          monthlyBudgetUsd: null,
          expiresAt: null,
        });
        await store.tokens.insert(a);
        await store.tokens.insert(b);
        expect(await store.tokens.byId(a.id)).toEqual(a);
        expect(await store.tokens.byName("alice")).toEqual(a);
        expect(await store.tokens.list()).toEqual([a, b]);
        expect(await store.tokens.byName("missing")).toBeNull();
        expect(await store.tokens.byId("missing")).toBeNull();
      });

      it("frees a revoked token's name but keeps its row; one live token per name", async () => {
        const a = token();
        await store.tokens.insert(a);
        await expect(store.tokens.insert(token())).rejects.toThrow();
        await store.tokens.update(a.id, { revokedAt: at(5), updatedAt: at(5) });
        expect(await store.tokens.byName("alice")).toBeNull();
        expect(await store.tokens.list()).toEqual([]);
        expect(await store.tokens.list({ includeRevoked: true })).toEqual([
          { ...a, revokedAt: at(5), updatedAt: at(5) },
        ]);
        const again = token();
        await store.tokens.insert(again);
        expect(await store.tokens.byName("alice")).toEqual(again);
      });

      it("refuses a token for a profile that does not exist (E_PROFILE_NOT_FOUND)", async () => {
        await expect(store.tokens.insert(token({ profile: "nope" }))).rejects.toMatchObject({
          code: "E_PROFILE_NOT_FOUND",
        });
      });

      it("moves last-used forward only, and updates only the patched fields", async () => {
        const a = token();
        await store.tokens.insert(a);
        await store.tokens.touchLastUsed(a.id, at(10));
        await store.tokens.touchLastUsed(a.id, at(5));
        await store.tokens.update(a.id, { models: null });
        expect(await store.tokens.byId(a.id)).toEqual({ ...a, lastUsedAt: at(10), models: null });
      });

      it("records the token of each usage event and sums spend and reports per token", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        const event = (tokenId: string | null, costUsd: number | null, offset: number) => ({
          keyId: key.id,
          at: at(offset),
          model: "claude-test",
          inputTokens: 10,
          outputTokens: 5,
          cacheCreationTokens: 0,
          cacheReadTokens: 0,
          costUsd,
          requestId: null,
          front: "gateway",
          ...(tokenId !== null && { tokenId }),
        });
        await store.usage.record(event("tok-a", 1.5, 1));
        await store.usage.recordMany([event("tok-a", 2, 2), event("tok-b", null, 3), event(null, 4, 4)]);
        const listed = await store.usage.list();
        expect(listed.map((e) => e.tokenId)).toEqual([undefined, "tok-b", "tok-a", "tok-a"]);
        expect(await store.usage.spendByToken({ since: T0 })).toEqual([
          { tokenId: "tok-a", requests: 2, costUsd: 3.5, unpricedRequests: 0 },
          { tokenId: "tok-b", requests: 1, costUsd: 0, unpricedRequests: 1 },
        ]);
        expect(await store.usage.spendByToken({ since: T0, tokenId: "tok-b" })).toHaveLength(1);
        // A whole-day window, which other groupings answer from the rollup.
        const day = new Date(Date.UTC(T0.getUTCFullYear(), T0.getUTCMonth(), T0.getUTCDate()));
        const rows = await store.usage.summarise({ since: day, by: "token" });
        expect(rows.map((r) => [r.group, r.requests, r.costUsd])).toEqual([
          ["", 1, 4],
          ["tok-a", 2, 3.5],
          ["tok-b", 1, 0],
        ]);
      });
    });

    describe("oauth providers, store secrets, settings", () => {
      it("puts, replaces, lists and deletes providers", async () => {
        const provider = {
          name: "test-idp",
          issuer: "http://127.0.0.1:1/",
          authorizationEndpoint: "http://127.0.0.1:1/auth",
          tokenEndpoint: "http://127.0.0.1:1/token",
          clientId: "client-test",
          scopes: ["openid", "offline_access"],
          keyMintingUrl: null,
          createdAt: T0,
          updatedAt: T0,
        };
        await store.oauthProviders.put(provider);
        expect(await store.oauthProviders.get("test-idp")).toEqual(provider);
        await store.oauthProviders.put({ ...provider, scopes: ["openid"], updatedAt: at(1) });
        expect(await store.oauthProviders.list()).toMatchObject([{ name: "test-idp", scopes: ["openid"] }]);
        await store.oauthProviders.delete("test-idp");
        expect(await store.oauthProviders.get("test-idp")).toBeNull();
      });

      it("puts, replaces and deletes store secrets", async () => {
        const secret = {
          name: "gateway-token",
          ciphertext: new Uint8Array(randomBytes(40)),
          nonce: new Uint8Array(randomBytes(12)),
          updatedAt: T0,
        };
        await store.secrets.put(secret);
        expect(await store.secrets.get("gateway-token")).toEqual(secret);
        const replaced = { ...secret, ciphertext: new Uint8Array(randomBytes(40)), updatedAt: at(1) };
        await store.secrets.put(replaced);
        expect(await store.secrets.get("gateway-token")).toEqual(replaced);
        await store.secrets.delete("gateway-token");
        expect(await store.secrets.get("gateway-token")).toBeNull();
      });

      it("keeps settings as JSON values", async () => {
        expect(await store.settings.get("rotation.maxAgeDays")).toBeNull();
        await store.settings.set("rotation.maxAgeDays", 90, T0);
        await store.settings.set("rotation.maxAgeDays", 30, at(1));
        await store.settings.set("gateway", { port: 8787 }, T0);
        expect(await store.settings.get("rotation.maxAgeDays")).toBe(30);
        expect(await store.settings.get("gateway")).toEqual({ port: 8787 });
      });

      it("deletes a setting, and a missing one without complaint (issue 25: journal rows)", async () => {
        await store.settings.set("usage-journal:gone", { folded: 3 }, T0);
        await store.settings.set("usage-journal:kept", { folded: 5 }, T0);
        await store.settings.delete("usage-journal:gone");
        await store.settings.delete("usage-journal:never");
        expect(await store.settings.get("usage-journal:gone")).toBeNull();
        expect(await store.settings.get("usage-journal:kept")).toEqual({ folded: 5 });
      });
    });

    describe("transactions", () => {
      it("commits everything fn did and returns its value", async () => {
        const key = fakeKey();
        const result = await store.transaction(async (tx) => {
          await tx.keys.insert(key);
          await tx.profiles.setActiveKey("default", key.id);
          await tx.audit.append(fakeAudit({ keyId: key.id }));
          return "done";
        });
        expect(result).toBe("done");
        expect((await store.profiles.get("default"))?.activeKeyId).toBe(key.id);
        expect(await store.audit.list()).toHaveLength(1);
      });

      it("rolls everything back when fn throws, and rethrows that error", async () => {
        const failure = new Error("test failure");
        const key = fakeKey();
        const err = await store
          .transaction(async (tx) => {
            await tx.keys.insert(key);
            await tx.setMeta(fakeMeta());
            await tx.audit.append(fakeAudit());
            throw failure;
          })
          .catch((e: unknown) => e);
        expect(err).toBe(failure);
        expect(await store.keys.byId(key.id)).toBeNull();
        expect(await store.getMeta()).toBeNull();
        expect(await store.audit.list()).toEqual([]);
      });

      it("rolls back when a statement inside fails", async () => {
        const key = fakeKey();
        await expect(
          store.transaction(async (tx) => {
            await tx.audit.append(fakeAudit());
            await tx.keys.insert(key);
            await tx.keys.insert({ ...fakeKey(), fingerprint: key.fingerprint });
          }),
        ).rejects.toMatchObject({ code: "E_KEY_DUPLICATE" });
        expect(await store.audit.list()).toEqual([]);
        expect(await store.keys.list()).toEqual([]);
      });

      it("joins nested transactions into the outer one", async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.audit.append(fakeAudit({ action: "outer" }));
            await tx.transaction(async (inner) => {
              await inner.audit.append(fakeAudit({ action: "inner" }));
            });
            // The root store, called from inside, joins too instead of deadlocking.
            await store.audit.append(fakeAudit({ action: "root" }));
            throw new Error("test failure");
          }),
        ).rejects.toThrow("test failure");
        expect(await store.audit.list()).toEqual([]);
        await store.transaction((tx) => tx.transaction((inner) => inner.audit.append(fakeAudit())));
        expect(await store.audit.list()).toHaveLength(1);
      });

      it("serialises concurrent transactions and keeps outside writes out of them", async () => {
        const log: string[] = [];
        const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
        const run = (label: string, fail: boolean) =>
          store.transaction(async (tx) => {
            log.push(`${label}:begin`);
            await tx.audit.append(fakeAudit({ action: label }));
            await tick();
            await tick();
            log.push(`${label}:end`);
            if (fail) throw new Error("test failure");
          });
        const results = await Promise.allSettled([
          run("a", true),
          run("b", false),
          store.audit.append(fakeAudit({ action: "outside" })),
          run("c", false),
        ]);
        expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled", "fulfilled"]);
        expect(log).toEqual(["a:begin", "a:end", "b:begin", "b:end", "c:begin", "c:end"]);
        const actions = (await store.audit.list()).map((e) => e.action).sort();
        expect(actions).toEqual(["b", "c", "outside"]);
      });
    });

    describe("busy", () => {
      it("waits for another connection's write lock, then reports E_STORE_BUSY", async () => {
        const impatient = await place.open(MAIN, { busyTimeoutMs: 100 });
        let release = await place.holdWriteLock(MAIN);
        try {
          await expect(impatient.audit.append(fakeAudit())).rejects.toMatchObject({ code: "E_STORE_BUSY" });
          await expect(impatient.transaction(async () => "never")).rejects.toMatchObject({
            code: "E_STORE_BUSY",
          });
          await release();
          release = async () => {};
          await impatient.transaction((tx) => tx.audit.append(fakeAudit()));
          expect(await impatient.audit.list()).toHaveLength(1);
        } finally {
          await release();
          await impatient.close();
        }
      });
    });

    describe("persistence", () => {
      it("keeps data across reopening", async () => {
        const key = fakeKey();
        await store.keys.insert(key);
        await store.setMeta(fakeMeta());
        await store.close();
        store = await open();
        expect(await store.keys.byId(key.id)).toEqual(key);
        expect(await store.getMeta()).not.toBeNull();
      });
    });

    describe("migrations", () => {
      const latest = target.migrations.at(-1)?.folderMillis ?? 0;
      const applied = async (name: string) =>
        Number(await place.sql(name, "SELECT max(created_at) FROM __drizzle_migrations"));

      // A SQLite file with no tables is not an apikey store (a new store is no file at all: issue 20 item 10), so
      // it is refused untouched; an empty PostgreSQL schema is a place made for a store, and is set up.
      it.runIf(target.dialect === "sqlite")("refuses a SQLite file with no tables, untouched", async () => {
        await place.createEmpty("empty");
        const before = await place.sql("empty", "PRAGMA schema_version");
        await expect(open("empty")).rejects.toMatchObject({ code: "E_NOT_A_STORE" });
        expect(await place.sql("empty", "SELECT count(*) FROM sqlite_master")).toBe(0);
        expect(await place.sql("empty", "PRAGMA schema_version")).toBe(before);
      });

      it.runIf(target.dialect === "postgres")("upgrades a schema with no tables", async () => {
        await place.createEmpty("empty");
        const s = await open("empty");
        await s.profiles.create({ name: "default", activeKeyId: null, createdAt: T0 });
        await s.close();
        expect(await applied("empty")).toBe(latest);
      });

      it("upgrades a database written by an older schema and keeps its rows", async () => {
        const next: MigrationMeta = {
          sql: ['CREATE INDEX "keys_test_upgrade_idx" ON "keys" ("hint");'],
          bps: true,
          folderMillis: latest + 1000,
          hash: "test-upgrade",
        };
        const s1 = await place.open("older", { migrations: target.migrations });
        await s1.profiles.create({ name: "default", activeKeyId: null, createdAt: T0 });
        const key = fakeKey();
        await s1.keys.insert(key);
        await s1.close();
        const s2 = await place.open("older", { migrations: [...target.migrations, next] });
        expect(await s2.keys.byId(key.id)).toEqual(key);
        await s2.close();
        expect(await applied("older")).toBe(latest + 1000);
        const index = await place.sql(
          "older",
          target.dialect === "sqlite"
            ? "SELECT name FROM sqlite_master WHERE name = 'keys_test_upgrade_idx'"
            : "SELECT indexname FROM pg_indexes WHERE indexname = 'keys_test_upgrade_idx' AND schemaname = current_schema()",
        );
        expect(index).toBe("keys_test_upgrade_idx");
      });

      it("refuses a database written by a newer apikey (E_STORE_TOO_NEW)", async () => {
        await store.close();
        await place.sql(
          MAIN,
          `INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', ${latest + 1})`,
        );
        const err = await open().catch((e: unknown) => e);
        expect(err).toMatchObject({ code: "E_STORE_TOO_NEW" });
        expect((err as { hint: string }).hint).toMatch(/upgrade apikey/i);
        await place.sql(MAIN, "DELETE FROM __drizzle_migrations WHERE hash = 'future'");
        store = await open();
      });
    });

    describe("two processes", () => {
      it("lets another process write at the same time without errors", { timeout: 60_000 }, async (ctx) => {
        const count = 150;
        const writer = place.writerChild(MAIN, count);
        if ("cannot" in writer) return ctx.skip(writer.cannot);
        const child = spawn(process.execPath, writer.argv, { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk;
        });
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk;
        });
        const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
        await new Promise<void>((resolve, reject) => {
          child.stdout.on("data", () => stdout.includes("ready") && resolve());
          child.on("close", () => reject(new Error(`child exited early: ${stderr}`)));
        });
        for (let i = 0; i < count; i++) {
          // Halfway, wait until the child has committed something: on a loaded machine the parent's writes could
          // otherwise all land before the child's first, and nothing would have overlapped.
          if (i === count / 2) {
            await vi.waitFor(
              async () => {
                const seen = await store.audit.list();
                if (!seen.some((e) => e.actor === "test:child")) throw new Error("no child write yet");
              },
              { timeout: 20_000, interval: 5 },
            );
          }
          if (i % 2 === 0) {
            await store.audit.append(fakeAudit({ actor: "test:parent", action: "parent.write" }));
          } else {
            await store.transaction((tx) =>
              tx.audit.append(fakeAudit({ actor: "test:parent", action: "parent.write" })),
            );
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect(await exited, stderr).toBe(0);
        expect(stdout).toContain("done");
        const entries = await store.audit.list();
        expect(entries.filter((e) => e.actor === "test:parent")).toHaveLength(count);
        expect(entries.filter((e) => e.actor === "test:child")).toHaveLength(count);
        // The writes really overlapped in time: in commit order, parent rows come before and after child rows.
        const order = entries.sort((a, b) => a.id - b.id).map((e) => e.actor);
        const switches = order.filter((actor, i) => i > 0 && actor !== order[i - 1]).length;
        expect(switches).toBeGreaterThanOrEqual(2);
      });
    });
  });
}

/** What only a file-backed SQLite store can show: file modes, damaged and unwritable files, its older schemas. */
export function describeSqliteStoreContract(name: string, driver: StoreDriver): void {
  describe(`SQLite store: ${name}`, () => {
    let dir: string;
    let cleanup: () => void;
    let path: string;
    let store: Store;
    const open = (file = path) => openStore({ path: file, driver });

    /** Raw SQL on the file, through the same driver, bypassing the store. */
    async function raw<T>(file: string, work: (c: Awaited<ReturnType<typeof connect>>) => T): Promise<T> {
      const conn = await connect(driver, file);
      try {
        return work(conn);
      } finally {
        conn.close();
      }
    }

    beforeEach(async () => {
      ({ dir, cleanup } = tempDir());
      path = join(dir, "apikey.db");
      store = await open();
      await store.profiles.create({ name: "default", activeKeyId: null, createdAt: T0 });
    });
    afterEach(async () => {
      await store.close();
      cleanup();
    });

    describe("files", () => {
      it("creates the directory 0700 and the database, -wal and -shm 0600", async () => {
        const nested = join(dir, "fresh", "data", "apikey.db");
        const other = await open(nested);
        try {
          await other.audit.append(fakeAudit());
          expect(mode(join(dir, "fresh"))).toBe(0o700);
          expect(mode(join(dir, "fresh", "data"))).toBe(0o700);
          for (const file of [nested, `${nested}-wal`, `${nested}-shm`]) {
            expect(existsSync(file), file).toBe(true);
            expect(mode(file), file).toBe(0o600);
          }
        } finally {
          await other.close();
        }
      });

      it("reports random bytes as E_NOT_A_STORE, naming the file", async () => {
        const bad = join(dir, "bad", "apikey.db");
        mkdirSync(join(dir, "bad"));
        writeFileSync(bad, randomBytes(8192));
        const err = await open(bad).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: "E_NOT_A_STORE" });
        expect((err as { hint: string }).hint).toContain(bad);
      });

      it("reports a store whose pages are damaged as E_STORE_CORRUPT, naming the file", async () => {
        const bad = join(dir, "pages", "apikey.db");
        mkdirSync(join(dir, "pages"));
        await (await open(bad)).close();
        // Keep SQLite's header and page size; scribble over the schema's page and the rest.
        const bytes = readFileSync(bad);
        randomBytes(bytes.length - 100).copy(bytes, 100);
        writeFileSync(bad, bytes);
        const err = await open(bad).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: "E_STORE_CORRUPT" });
        expect((err as { hint: string }).hint).toContain(bad);
      });

      it("reports a directory that refuses writes as E_STORE_READONLY", async (ctx) => {
        const roDir = join(dir, "ro");
        mkdirSync(roDir);
        const existing = join(roDir, "existing.db");
        await (await open(existing)).close();
        if (!makeDirReadOnly(roDir)) {
          ctx.skip("running as root without chattr +i support: no way to make a directory refuse root");
        }
        await expect(open(join(roDir, "new.db"))).rejects.toMatchObject({ code: "E_STORE_READONLY" });
        await expect(open(join(roDir, "sub", "new.db"))).rejects.toMatchObject({ code: "E_STORE_READONLY" });
        // The file exists, but SQLite cannot create its -wal beside it.
        await expect(open(existing)).rejects.toMatchObject({ code: "E_STORE_READONLY" });
      });

      it("reports a path under a regular file as E_STORE_READONLY", async () => {
        writeFileSync(join(dir, "plain-file"), "x");
        await expect(open(join(dir, "plain-file", "apikey.db"))).rejects.toMatchObject({
          code: "E_STORE_READONLY",
        });
      });
    });

    describe("migrations", () => {
      const latest = migrations.at(-1)?.folderMillis ?? 0;
      const applied = (file: string) =>
        raw(file, (c) => Number(c.scalar("SELECT max(created_at) FROM __drizzle_migrations")));

      it("upgrades a real first-release store (migration 0000 only) to the current schema", async () => {
        const first = join(dir, "first.db");
        const [initial] = migrations;
        if (!initial || migrations.length < 2) throw new Error("expected at least two real migrations");
        // raw() closes synchronously; migrate is async on the node:sqlite driver, so hold the connection here.
        const conn = await connect(driver, first);
        try {
          await conn.migrate([initial]);
        } finally {
          conn.close();
        }
        // A key row as the first release wrote it, before budget and OAuth columns existed.
        await raw(first, (c) => {
          c.exec("INSERT INTO profiles (name, created_at) VALUES ('default', 1)");
          c.exec(
            "INSERT INTO keys (id, name, profile, provider, kind, source, status, ciphertext, nonce, hint, fingerprint, created_at, updated_at) " +
              "VALUES ('key-test-0', 'old', 'default', 'anthropic', 'api', 'manual', 'active', x'00', x'01', 'sk-ant-api03-…TEST', 'fp-test-0', 1, 1)",
          );
        });
        const s = await open(first);
        expect(await s.keys.byId("key-test-0")).toMatchObject({
          name: "old",
          budgetMode: "warn",
          refreshCiphertext: null,
          expiresAt: null,
          oauthProvider: null,
        });
        await s.settings.set("probe", true, T0);
        await s.close();
        expect(await applied(first)).toBe(latest);
      });
    });

    describe("usage rollup", () => {
      it("backfills the rollup from the events of a store written before it existed", async () => {
        const older = join(dir, "before-rollup.db");
        // Schema 0001: the last one without the rollup. Its key rows are written in SQL, since today's
        // repositories write columns that schema does not have yet.
        const withoutRollup = migrations.slice(0, 2);
        expect(withoutRollup.some((m) => m.sql.some((s) => s.includes("usage_daily")))).toBe(false);
        const s1 = await openStoreWith((p) => connect(driver, p), { path: older }, withoutRollup);
        await s1.close();
        const ids = ["rollup-0", "rollup-1", "rollup-2"];
        await raw(older, (c) => {
          c.exec(`INSERT INTO profiles (name, created_at) VALUES ('default', ${T0.getTime()})`);
          for (const id of ids) {
            c.exec(
              "INSERT INTO keys (id, name, profile, provider, kind, source, status, ciphertext, nonce, hint, " +
                `fingerprint, created_at, updated_at) VALUES ('${id}', '${id}', 'default', 'anthropic', 'api', ` +
                `'manual', 'active', x'00', x'00', 'sk-ant-test-…FAKE', 'fp-${id}', 0, 0)`,
            );
          }
        });
        const events = makeEvents(ids, 200, 13);
        const literal = (v: string | number | null) => (typeof v === "string" ? `'${v}'` : String(v));
        await raw(older, (c) => {
          for (const e of events) {
            const values = [
              e.keyId,
              e.at.getTime(),
              e.model,
              e.inputTokens,
              e.outputTokens,
              e.cacheCreationTokens,
              e.cacheReadTokens,
              e.costUsd,
              e.requestId,
              e.front,
            ];
            c.exec(
              "INSERT INTO usage_events (key_id, at, model, input_tokens, output_tokens, cache_creation_tokens, " +
                `cache_read_tokens, cost_usd, request_id, front) VALUES (${values.map(literal).join(", ")})`,
            );
          }
        });
        const s2 = await open(older);
        try {
          await expectReportsMatch(events, ids, s2);
          // New events add to the backfilled rows.
          const more = makeEvents(ids, 50, 17);
          await s2.usage.recordMany(more);
          await expectReportsMatch([...events, ...more], ids, s2);
        } finally {
          await s2.close();
        }
      });
    });
  });
}
