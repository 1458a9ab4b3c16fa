import http from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { addKey, makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { startProxy, stopAllProxies, usageEvents } from "../fixtures/proxy.ts";

// Issue 10: 500 streams open at once through one gateway (the real CLI as a child process) — every one completes
// with its message_stop, none is queued behind another, and every one's usage is recorded.

const KEY = fakeApiKey("STREAMS_500");
const STREAMS = 500;

let fake: FakeAnthropic;
let home: TestHome;
let opts: RunOptions;
let token: string;

beforeAll(async () => {
  // 20 deltas 150 ms apart: each stream stays open about 3 s, long enough for all of them to overlap.
  fake = await startFakeAnthropic({ validKeys: [KEY], stream: { chunks: 20, chunkDelayMs: 150 } });
  home = await makeHome();
  opts = { home, baseUrl: fake.url };
  expect((await addKey("a", KEY, opts)).code).toBe(0);
  token = (await runCli(["proxy", "token", "create", "default"], opts)).stdout.trim();
});

afterAll(async () => {
  await stopAllProxies();
  await fake?.close();
  await home?.cleanup();
});

it("500 concurrent streams: all complete, all overlap, all recorded", { timeout: 120_000 }, async () => {
  const proxy = await startProxy(opts);
  const before = (await usageEvents(home)).length;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const body = JSON.stringify({
    model: "claude-haiku-4-5",
    max_tokens: 64,
    stream: true,
    messages: [{ role: "user", content: "hi" }],
  });
  let open = 0;
  let peak = 0;
  const one = () =>
    new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: "127.0.0.1",
          port: proxy.port,
          path: "/v1/messages",
          method: "POST",
          headers: {
            "x-api-key": token,
            "content-type": "application/json",
            "anthropic-version": "2023-06-01",
          },
        },
        (res) => {
          let text = "";
          open++;
          peak = Math.max(peak, open);
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            text += c;
          });
          res.on("end", () => {
            open--;
            resolve(text);
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const texts = await Promise.all(Array.from({ length: STREAMS }, one));
  agent.destroy();
  expect(texts.filter((t) => t.includes("event: message_stop")).length).toBe(STREAMS);
  // Most of them were open at the same moment (a queue in the gateway would keep this near its cap).
  expect(peak).toBeGreaterThan(STREAMS * 0.8);
  const events = await usageEvents(home);
  expect(events.length - before).toBe(STREAMS);
  expect(new Set(events.map((e) => e.requestId)).size).toBe(events.length);
});
