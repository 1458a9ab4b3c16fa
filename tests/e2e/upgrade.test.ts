import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { masterKeySource } from "@apikey/core";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  filesContaining,
  jsonError,
  makeHome,
  REPO_ROOT,
  type RunOptions,
  runCli,
  type TestHome,
} from "../fixtures/cli.ts";
import { inProcess, inProcessWarnings } from "../fixtures/in-process.ts";
import { fakeAdminKey, fakeApiKey, fakeOauthToken, keyBody } from "../fixtures/keys.ts";
import type { FixtureManifest, UsageTotals } from "../fixtures/stores/manifest.ts";
import { FIXTURE_MASTER_KEY } from "../fixtures/stores/populate.ts";

// Stores written by every schema so far (tests/fixtures/stores, made by its generator) open with the current build,
// migrate, and show the same keys, profiles, usage and audit trail; secrets still decrypt. A store that a newer build
// wrote is refused and left byte for byte as it was.
// The CLI runs what is tested: `current` on the old schema (its fast path hands over to the full path, which
// migrates), `current` again on the migrated one, and every refusal of a newer store. What the migrated store then
// holds (keys, profiles, usage, audit trail, secrets) is read back in process, through the use cases those commands'
// --json print.

const STORES = join(REPO_ROOT, "tests/fixtures/stores");
const manifest = JSON.parse(readFileSync(join(STORES, "manifest.json"), "utf8")) as FixtureManifest[];
const journal = JSON.parse(
  readFileSync(join(REPO_ROOT, "packages/storage/drizzle/meta/_journal.json"), "utf8"),
) as { entries: Array<{ when: number; tag: string }> };

let home: TestHome | undefined;
afterEach(async () => {
  await home?.cleanup();
  home = undefined;
});

async function homeWith(fixture: string): Promise<RunOptions> {
  home = await makeHome();
  mkdirSync(home.dataDir, { mode: 0o700 });
  copyFileSync(join(STORES, fixture), home.storePath);
  chmodSync(home.storePath, 0o600);
  return { home, env: { APIKEY_MASTER_KEY: FIXTURE_MASTER_KEY } };
}

function secretFor(kind: string, label: string): string {
  if (kind === "admin") return fakeAdminKey(label);
  if (kind === "oauth") return fakeOauthToken(label);
  return fakeApiKey(label);
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const tokens = (t: UsageTotals) => ({
  requests: t.requests,
  inputTokens: t.inputTokens,
  outputTokens: t.outputTokens,
  cacheCreationTokens: t.cacheCreationTokens,
  cacheReadTokens: t.cacheReadTokens,
});

describe("upgrade fixtures", () => {
  it("cover every migration in the journal", () => {
    expect(manifest.map((m) => m.schema.tag)).toEqual(journal.entries.map((e) => e.tag));
  });

  it.each(manifest.map((m) => [m.schema.tag, m] as const))(
    "schema %s opens, migrates and matches",
    async (_tag, m) => {
      const opts = await homeWith(m.file);
      const secrets = m.keys.filter((k) => k.label !== null).map((k) => secretFor(k.kind, k.label as string));
      // The fixture holds its fake secrets only encrypted.
      expect(
        await filesContaining(
          STORES,
          secrets.flatMap((s) => [s, keyBody(s)]),
        ),
      ).toEqual([]);

      // `current` first: the fast path must notice the old schema and hand over to the full path, which migrates.
      const defaultActive = m.keys.find(
        (k) =>
          k.profile === "default" &&
          k.status !== "rotated" &&
          k.name === m.profiles.find((p) => p.name === "default")?.activeKey,
      );
      const current = await runCli(["current"], opts);
      expect(current.code).toBe(0);
      expect(current.stdout).toBe(`${secretFor(defaultActive?.kind ?? "", defaultActive?.label ?? "")}\n`);

      const db = new Database(opts.home.storePath, { readonly: true });
      try {
        expect(db.prepare("SELECT count(*) FROM __drizzle_migrations").pluck().get()).toBe(
          journal.entries.length,
        );
      } finally {
        db.close();
      }

      const fixtureKey = [masterKeySource(FIXTURE_MASTER_KEY)];
      const read = await inProcess(
        opts.home,
        async (app) => ({
          listed: await app.keys.list(),
          profiles: await app.profiles.list(),
          // `usage --since 2026-01-01 --by key`: its rows name a key profile/name, " (rotated)" for a rotated one.
          usage: await app.usage.report({ since: new Date(Date.UTC(2026, 0, 1)), by: "key" }),
          audit: await app.audit({ limit: 1000 }),
        }),
        fixtureKey,
      );
      const listed = read.listed;
      const shape = (k: { profile: string; name: string; kind: string; status: string; masked: string }) =>
        `${k.profile}/${k.name} ${k.kind} ${k.status} ${k.masked}`;
      expect(listed.map(shape).sort()).toEqual(m.keys.map(shape).sort());
      for (const p of m.profiles) {
        const active = listed.filter((k) => k.profile === p.name && k.active).map((k) => k.name);
        expect(active).toEqual(p.activeKey === null ? [] : [p.activeKey]);
      }

      expect(read.profiles.map((p) => ({ name: p.name, activeKey: p.activeKey }))).toEqual(m.profiles);

      const usage = read.usage;
      expect(tokens(usage.totals)).toEqual(tokens(m.usage.total));
      const names = new Map(
        listed.map((k) => [k.id, `${k.profile}/${k.name}${k.status === "rotated" ? " (rotated)" : ""}`]),
      );
      const byKey = Object.fromEntries(usage.rows.map((r) => [names.get(r.group) ?? r.group, tokens(r)]));
      const expected = Object.fromEntries(
        Object.entries(m.usage.byKey)
          .filter(([, t]) => t.requests > 0)
          .map(([k, t]) => [k, tokens(t)]),
      );
      expect(byKey).toEqual(expected);

      const audit = read.audit;
      // `current` may add nothing; the audit trail that was there is all still there.
      for (const action of m.audit.actions) expect(audit.map((a) => a.action)).toContain(action);
      expect(audit.length).toBeGreaterThanOrEqual(m.audit.rows);

      // Every secret still decrypts, and revealing it warns of nothing (the CLI's `reveal` printed no stderr).
      const labelled = m.keys.filter((k) => k.label !== null);
      const revealed = await inProcessWarnings(
        opts.home,
        async (app) => {
          const out: string[] = [];
          for (const k of labelled) out.push(await app.keys.reveal(k.name, k.profile, "cli reveal"));
          return out;
        },
        fixtureKey,
      );
      expect(revealed.warnings).toEqual([]);
      expect(revealed.value).toEqual(labelled.map((k) => secretFor(k.kind, k.label as string)));

      // Now on the current schema: the fast path answers, for the other profile too.
      const work = m.profiles.find((p) => p.name === "work");
      const workActive = m.keys.find(
        (k) => k.profile === "work" && k.name === work?.activeKey && k.status !== "rotated",
      );
      const again = await runCli(["--profile", "work", "current"], opts);
      expect(again.stdout).toBe(`${secretFor(workActive?.kind ?? "", workActive?.label ?? "")}\n`);

      const after = new Database(opts.home.storePath, { readonly: true });
      try {
        if (m.pendingDeactivations.length > 0) {
          expect(
            after
              .prepare("SELECT profile, key_hint AS keyHint, state FROM pending_deactivations ORDER BY id")
              .all(),
          ).toEqual(m.pendingDeactivations);
        }
        if (m.oauthProviders.length > 0) {
          expect(after.prepare("SELECT name FROM oauth_providers ORDER BY name").pluck().all()).toEqual(
            m.oauthProviders,
          );
        }
      } finally {
        after.close();
      }
    },
  );
});

describe("a store written by a newer apikey", () => {
  const newest = manifest.at(-1) as FixtureManifest;
  const known = journal.entries.map((e) => e.when);

  it.each([
    ["after every migration this build knows", Math.max(...known) + 86_400_000],
    ["between two migrations this build knows", (known[0] ?? 0) + 1],
  ])("with a migration %s is refused with E_STORE_TOO_NEW and never rewritten", async (_when, createdAt) => {
    const opts = await homeWith(newest.file);
    const db = new Database(opts.home.storePath);
    db.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-a-newer-build', ?)").run(
      createdAt,
    );
    db.close();
    const before = sha256(opts.home.storePath);

    const list = await runCli(["--json", "list"], opts);
    expect(list.code).not.toBe(0);
    expect(jsonError(list).code).toBe("E_STORE_TOO_NEW");

    // The hot path too: it must not hand out a key from a store it does not understand.
    const current = await runCli(["--json", "current"], opts);
    expect(current.stdout).toBe("");
    expect(jsonError(current).code).toBe("E_STORE_TOO_NEW");

    const add = await runCli(["--json", "add", "--no-validate", "another"], {
      ...opts,
      stdin: fakeApiKey("TOO_NEW"),
    });
    expect(jsonError(add).code).toBe("E_STORE_TOO_NEW");

    expect(sha256(opts.home.storePath)).toBe(before);
    expect(readdirSync(opts.home.dataDir)).toEqual(["apikey.db"]);
  });
});
