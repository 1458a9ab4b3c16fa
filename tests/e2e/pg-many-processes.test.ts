import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { addKey, type CliResult, makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { onPostgres, storeUrl, usePrivatePostgres, withPgStore } from "../fixtures/postgres.ts";
import { type RunningProxy, startProxy, stopAllProxies } from "../fixtures/proxy.ts";

// Many processes, one PostgreSQL store (issue 11): what a team running the bot on two replicas and gateways on
// several hosts relies on. Every process here is a real `apikey` CLI or `apikey proxy` on its own connection to a
// real server that this file starts.

const server = usePrivatePostgres();
const PROCESSES = 4;
const MODEL = "claude-sonnet-4-5-20250929";
const USAGE = {
  input_tokens: 120,
  output_tokens: 45,
  cache_creation_input_tokens: 8,
  cache_read_input_tokens: 30,
};

let fake: FakeAnthropic;
const homes: TestHome[] = [];

async function pgHome(label: string): Promise<RunOptions> {
  if (!server) throw new Error("no server");
  const home = await makeHome();
  homes.push(home);
  return onPostgres({ home, baseUrl: fake.url, timeoutMs: 60_000 }, storeUrl(server(), label));
}

/** Each process's own home (its own APIKEY_HOME, nothing shared on disk) on the same store. */
async function sameStore(opts: RunOptions, n: number): Promise<RunOptions[]> {
  const others: RunOptions[] = [];
  for (let i = 0; i < n; i++) {
    const home = await makeHome();
    homes.push(home);
    others.push({ ...opts, home });
  }
  return others;
}

const ok = (r: CliResult, what: string) => expect(r.code, `${what}: ${r.stderr}`).toBe(0);

function ask(proxy: RunningProxy, token: string): Promise<Response> {
  return fetch(`${proxy.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": token, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
  });
}

if (server) {
  beforeAll(async () => {
    fake = await startFakeAnthropic({ usage: USAGE });
  });
  afterEach(async () => {
    await stopAllProxies();
  });
  afterAll(async () => {
    await fake?.close();
    for (const home of homes) await home.cleanup();
  });

  describe("4 CLI processes adding, switching and rotating in one profile", () => {
    it("never leave two live keys of one name, a rotated key without its successor, or a dangling active key", {
      timeout: 300_000,
    }, async () => {
      const base = await pgHome("rotate");
      const NAMES = ["k0", "k1", "k2"];
      for (const name of NAMES) {
        const secret = fakeApiKey(`PGROT_SEED_${name}`);
        fake.addValidKey(secret);
        ok(await addKey(name, secret, base, ["--no-validate"]), `seed ${name}`);
      }
      const procs = await sameStore(base, PROCESSES);
      const rotations = new Map<string, number>(NAMES.map((n) => [n, 0]));
      const failures: string[] = [];
      let lostRaces = 0;
      await Promise.all(
        procs.map(async (opts, p) => {
          for (let i = 0; i < 6; i++) {
            const name = NAMES[(p + i) % NAMES.length] as string;
            let result: CliResult;
            if (i % 3 === 0) {
              result = await runCli(["use", name], opts);
            } else if (i % 3 === 1) {
              // Losing the race to another rotation of the same key is refused with nothing written ("changed by
              // another process meanwhile"); the person runs it again, and so does this test.
              for (let attempt = 0; ; attempt++) {
                result = await runCli(["rotate", name, "--no-validate", "--grace", "1h"], {
                  ...opts,
                  stdin: fakeApiKey(`PGROT_P${p}_I${i}`),
                });
                if (attempt === 5 || !/changed by another process meanwhile/.test(result.stderr)) break;
                lostRaces++;
              }
              if (result.code === 0) rotations.set(name, (rotations.get(name) ?? 0) + 1);
            } else {
              result = await addKey(`p${p}-${i}`, fakeApiKey(`PGROT_NEW_P${p}_I${i}`), opts, [
                "--no-validate",
              ]);
            }
            if (result.code !== 0) failures.push(`process ${p} op ${i}: ${result.stderr.slice(0, 300)}`);
          }
        }),
      );
      expect(failures).toEqual([]);
      console.log(`rotations that lost a race and were run again: ${lostRaces}`);

      await withPgStore(String(base.env?.APIKEY_DATABASE_URL), async (store) => {
        const keys = await store.keys.list();
        const byId = new Map(keys.map((k) => [k.id, k]));
        const live = keys.filter((k) => k.status !== "rotated");
        // One live key per name.
        expect(new Set(live.map((k) => k.name)).size).toBe(live.length);
        // Every rotated key points at its successor, which points back and carries the name on.
        for (const old of keys.filter((k) => k.status === "rotated")) {
          const next = old.rotatedToId ? byId.get(old.rotatedToId) : undefined;
          expect(next, `successor of ${old.name}`).toBeDefined();
          expect(next?.rotatedFromId).toBe(old.id);
          expect(next?.name).toBe(old.name);
        }
        // Each name's chain is exactly as long as the rotations that succeeded on it.
        for (const name of NAMES) {
          expect(keys.filter((k) => k.name === name && k.status === "rotated")).toHaveLength(
            rotations.get(name) ?? -1,
          );
        }
        const active = (await store.profiles.get("default"))?.activeKeyId;
        expect(active && byId.get(active)?.status).toBe("active");
        expect(live.length).toBe(NAMES.length + PROCESSES * 2);
      });
    });
  });

  describe("4 gateway processes on one store", () => {
    let base: RunOptions;
    let token: string;
    let proxies: RunningProxy[];
    const KEY_A = fakeApiKey("PGGW_A");
    const KEY_B = fakeApiKey("PGGW_B");

    beforeAll(async () => {
      fake.addValidKey(KEY_A);
      fake.addValidKey(KEY_B);
      base = await pgHome("gateway");
      ok(await addKey("a", KEY_A, base, ["--no-validate"]), "add a");
      ok(await addKey("b", KEY_B, base, ["--no-validate"]), "add b");
      ok(await runCli(["use", "a"], base), "use a");
      const printed = await runCli(["proxy", "token", "create", "default"], base);
      ok(printed, "proxy token");
      token = printed.stdout.trim();
    });

    const startAll = async () => {
      proxies = await Promise.all((await sameStore(base, PROCESSES)).map((opts) => startProxy(opts)));
    };

    it("record every request at full speed: none lost, none counted twice, the rollup equal to the events", {
      timeout: 300_000,
    }, async () => {
      await startAll();
      const PER_GATEWAY = 150;
      const upstreamBefore = fake.requestsFor(KEY_A).length;
      const statuses = await Promise.all(
        proxies.map(async (proxy) => {
          const codes: number[] = [];
          // Several requests in flight per gateway, as clients send them.
          await Promise.all(
            Array.from({ length: 5 }, async (_, lane) => {
              for (let i = lane; i < PER_GATEWAY; i += 5) {
                const res = await ask(proxy, token);
                await res.arrayBuffer();
                codes.push(res.status);
              }
            }),
          );
          return codes;
        }),
      );
      expect(statuses.flat().filter((s) => s !== 200)).toEqual([]);
      const total = PROCESSES * PER_GATEWAY;
      expect(fake.requestsFor(KEY_A).length - upstreamBefore).toBe(total);
      // A gateway writes its events after answering: give the last ones a moment, then compare exactly.
      await stopAllProxiesGracefully(proxies);
      await withPgStore(String(base.env?.APIKEY_DATABASE_URL), async (store) => {
        const events = (await store.usage.list()).filter((e) => e.front === "gateway");
        expect(events).toHaveLength(total);
        expect(new Set(events.map((e) => e.requestId)).size).toBe(total);
        const since = new Date(Date.UTC(2000, 0, 1));
        const [fromRollup] = await store.usage.summarise({ since, by: "model" });
        expect(fromRollup).toMatchObject({
          group: MODEL,
          requests: total,
          inputTokens: total * USAGE.input_tokens,
          outputTokens: total * USAGE.output_tokens,
          cacheCreationTokens: total * USAGE.cache_creation_input_tokens,
          cacheReadTokens: total * USAGE.cache_read_input_tokens,
        });
        // A window that is not whole days is answered from the events themselves: the same totals.
        const [fromEvents] = await store.usage.summarise({
          since: new Date(since.getTime() + 1),
          by: "model",
        });
        expect(fromEvents).toEqual({ ...fromRollup, costUsd: expect.closeTo(fromRollup?.costUsd ?? 0, 9) });
      });
    });

    it("see a switch, a token rotation and a budget made by another process on their next request", {
      timeout: 300_000,
    }, async () => {
      await startAll();
      for (const proxy of proxies) expect((await ask(proxy, token)).status).toBe(200);

      // A switch by another process: every gateway's next request goes out with key b.
      ok(await runCli(["use", "b"], base), "use b");
      const before = fake.requestsFor(KEY_B).length;
      for (const proxy of proxies) expect((await ask(proxy, token)).status).toBe(200);
      expect(fake.requestsFor(KEY_B).length - before).toBe(PROCESSES);

      // A blocking budget already spent (each request costs about $0.001): every gateway refuses the next request.
      for (let i = 0; i < 12; i++) expect((await ask(proxies[0] as RunningProxy, token)).status).toBe(200);
      ok(await runCli(["budget", "set", "b", "0.01", "--block"], base), "budget");
      for (const proxy of proxies) expect((await ask(proxy, token)).status).not.toBe(200);
      ok(await runCli(["budget", "clear", "b"], base), "budget clear");
      for (const proxy of proxies) expect((await ask(proxy, token)).status).toBe(200);

      // The token rotated by another process: the old one is refused everywhere, the new one accepted.
      const rotated = await runCli(["proxy", "token", "--rotate"], base);
      ok(rotated, "token rotate");
      const fresh = rotated.stdout.trim();
      expect(fresh).not.toBe(token);
      for (const proxy of proxies) {
        expect((await ask(proxy, token)).status).toBe(401);
        expect((await ask(proxy, fresh)).status).toBe(200);
      }
      token = fresh;
    });
  });
}

/** SIGTERM, so each gateway finishes writing what it accounted before it exits. */
async function stopAllProxiesGracefully(proxies: RunningProxy[]): Promise<void> {
  for (const proxy of proxies) proxy.child.kill("SIGTERM");
  await Promise.all(proxies.map((p) => p.exited));
}
