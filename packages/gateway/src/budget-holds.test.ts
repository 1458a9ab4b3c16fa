import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createToken, loadConfig, meteringFor, type Store, setBudget, Vault } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";

// Issue 20 item 3: what an admitted request holds against a blocking budget is given back however it ends — its
// usage recorded, the upstream failing or never answering, the stream cut, the client leaving — so after many
// such requests nothing is held. The gateway in-process over a real store file and a real upstream on 127.0.0.1
// that misbehaves as each request asks (x-test-mode).

const FAKE_KEY = `sk-ant-api03-${"FAKE_TEST_GATEWAY_HOLDS_".padEnd(93, "x")}AA`;
const sse = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const USAGE = {
  input_tokens: 10,
  output_tokens: 20,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

let dir: string;
let store: Store;
let upstream: Server;
let gateway: Gateway;
let token: string;
let received = 0;

function answer(req: IncomingMessage, res: ServerResponse) {
  received++;
  switch (req.headers["x-test-mode"]) {
    case "hang":
      return; // never answers: the client leaves, or the gateway's silence timeout ends it
    case "error":
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: "boom" } }));
      return;
    case "reset":
      req.socket.destroy();
      return;
    case "cut":
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sse("message_start", { message: { model: "claude-haiku-4-5", usage: USAGE } }));
      setTimeout(() => res.destroy(), 20);
      return;
    case "slow":
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sse("message_start", { message: { model: "claude-haiku-4-5", usage: USAGE } }));
      return; // the client leaves mid-stream
    default: {
      const json = JSON.stringify({ model: "claude-haiku-4-5", usage: USAGE });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
      res.end(json);
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "apikey-holds-"));
  const config = loadConfig({ APIKEY_HOME: dir, APIKEY_MASTER_KEY: Buffer.alloc(32, 9).toString("base64") });
  store = await openStore({ path: join(dir, "apikey.db") });
  const vault = new Vault({ store, config, actor: "test", front: "api" });
  await vault.add({ name: "a", secret: FAKE_KEY, validate: false });
  // Budgets far above what these requests cost: every request is admitted and holds on both.
  await setBudget(vault, { name: "a", usd: 1000, mode: "block" });
  token = (await createToken(vault, { name: "holds", budgetUsd: 1000, block: true })).token;
  upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => answer(req, res));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  gateway = await startGateway({
    app: { metering: meteringFor(vault) },
    port: 0,
    upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    timeouts: { silenceMs: 800 },
  });
});

afterAll(async () => {
  await gateway?.close({ graceMs: 100 });
  upstream?.closeAllConnections();
  upstream?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function send(mode: string, signal?: AbortSignal): Promise<number> {
  try {
    const res = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": token, "content-type": "application/json", "x-test-mode": mode },
      body: JSON.stringify({
        model: "claude-opus-4-1",
        max_tokens: 4096,
        stream: mode === "slow" || mode === "cut",
        messages: [],
      }),
      signal,
    });
    await res.text();
    return res.status;
  } catch {
    return 0; // aborted, or the connection was cut
  }
}

async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe("issue 20 item 3: holds never leak", () => {
  it("after many requests that ended every way, nothing is held", { timeout: 30_000 }, async () => {
    const modes = ["ok", "hang", "error", "reset", "cut", "slow", "hang-timeout"];
    const perMode = 15;
    const controller = new AbortController();
    received = 0;
    const sent = modes.flatMap((mode) =>
      Array.from({ length: perMode }, () =>
        send(
          mode === "hang-timeout" ? "hang" : mode,
          mode === "hang" || mode === "slow" ? controller.signal : undefined,
        ),
      ),
    );
    // Every request reached the upstream, so each was admitted holding its worst case; some still hang.
    await until(() => received === modes.length * perMode);
    expect(received).toBe(modes.length * perMode);
    expect(gateway.heldUsd()).toBeGreaterThan(0);
    controller.abort();
    const statuses = await Promise.all(sent);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(perMode);
    await until(() => gateway.heldUsd() === 0);
    expect(gateway.heldUsd()).toBe(0);
  });

  it("a request refused before it is forwarded holds nothing", async () => {
    const res = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "apk-gw-not-a-valid-token", "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(gateway.heldUsd()).toBe(0);
  });
});
