import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkEndpoint } from "../../packages/core/src/oauth/endpoints.ts";
import { baseUrlRefusal } from "../../packages/core/src/validate/base-url.ts";
import { isLoopbackHost } from "../../packages/core/src/validate/loopback-host.ts";
import { checkListenHost, isLoopbackHost as gatewayIsLoopback } from "../../packages/gateway/src/index.ts";
import { makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { startProxy, stopAllProxies } from "../fixtures/proxy.ts";

// Issue 21: "is this host only this machine?" has one home (core/src/validate/loopback-host.ts). Before, core's
// base-URL check, the gateway's listen check (repeated in the CLI's proxy command) and the OAuth endpoint check
// each had their own list, and they disagreed on `localhost.`, `*.localhost`, `127.1` and `0x7f.1`.

const TABLE: Array<[host: string, loopback: boolean]> = [
  ["localhost", true],
  ["localhost.", true],
  ["foo.localhost", true],
  ["LOCALHOST", true],
  ["127.1", true],
  ["127.0.0.1", true],
  ["[::1]", true],
  ["::1", true],
  ["::ffff:127.0.0.1", true],
  ["0x7f.1", true],
  ["localhost.evil.com", false],
  ["127.0.0.1.evil.com", false],
  ["::ffff:10.0.0.1", false],
  ["0.0.0.0", false],
  ["10.0.0.5", false],
  ["evil.com/@localhost", false],
];

/** The host as it goes into a URL's authority. */
const inUrl = (h: string) => (h.includes(":") && !h.startsWith("[") ? `[${h}]` : h);

/** Every user of the rule, asked the same question. */
const ENTRIES: Record<string, (host: string) => boolean> = {
  "core isLoopbackHost": isLoopbackHost,
  "core base URL (plain http carries a key only to this machine)": (h) =>
    baseUrlRefusal(`http://${inUrl(h)}:8787/v1`, false) === null,
  "core OAuth endpoint (plain http only to this machine)": (h) => {
    try {
      checkEndpoint(`http://${inUrl(h)}:9/token`, "token endpoint");
      return true;
    } catch {
      return false;
    }
  },
  "gateway isLoopbackHost": gatewayIsLoopback,
  "gateway listen check": (h) => {
    try {
      checkListenHost(h, false);
      return true;
    } catch (err) {
      expect((err as { code?: string }).code).toBe("E_PROXY_UNSAFE_HOST");
      return false;
    }
  },
};

let home: TestHome;
const opts = (): RunOptions => ({ home });
beforeAll(async () => {
  home = await makeHome();
  expect(
    (await runCli(["add", "work", "--no-validate"], { home, stdin: fakeApiKey("LOOP21"), timeoutMs: 60_000 }))
      .code,
  ).toBe(0);
});
afterEach(stopAllProxies);
afterAll(() => home?.cleanup());

describe("issue 21: one loopback rule, decided the same way by every user", () => {
  for (const [name, decide] of Object.entries(ENTRIES)) {
    it(name, () => {
      const decided = TABLE.map(([h]) => [h, decide(h)]);
      expect(decided).toEqual(TABLE);
    });
  }

  it("the CLI's `proxy --host`: refused as unsafe exactly where the table says not loopback", async () => {
    const decided: Array<[string, boolean]> = [];
    // The URL-shaped entry cannot be a listen address at all; the others are tried for real.
    for (const [host] of TABLE.filter(([h]) => !h.includes("/"))) {
      try {
        await startProxy(opts(), ["--host", host]);
        decided.push([host, true]);
      } catch (err) {
        // A loopback name the resolver does not know (`localhost.` here) fails to bind: not refused as unsafe.
        decided.push([host, !String(err).includes("E_PROXY_UNSAFE_HOST")]);
      }
      await stopAllProxies();
    }
    expect(decided).toEqual(TABLE.filter(([h]) => !h.includes("/")));
  }, 120_000);
});
