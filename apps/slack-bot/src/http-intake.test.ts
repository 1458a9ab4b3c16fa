import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HTTPReceiver, Logger } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import {
  postSigned,
  slashCommandBody,
  TEST_SIGNING_SECRET,
} from "../../../tests/fixtures/fake-slack-requests.ts";
import { ackGate } from "./after-ack.ts";
import { guardHttpReceiver } from "./http-intake.ts";

// Issue 22 item 11: the front door tells the ack gate of every delivery from its arrival until its answer has gone
// out, whatever that answer is (Bolt's ack, a 401, a 413, a dropped connection). A delivery it forgot to let go
// would hold every later answer back by the gate's maximum.

const silent = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function frontDoor(bolt: (res: import("node:http").ServerResponse) => void) {
  const gate = ackGate();
  const receiver = { requestListener: (_req: unknown, res: import("node:http").ServerResponse) => bolt(res) };
  guardHttpReceiver(receiver as unknown as HTTPReceiver, {
    signingSecret: TEST_SIGNING_SECRET,
    bodyLimit: 4096,
    now: Date.now,
    logger: silent,
    onRefusal: async () => undefined,
    gate,
  });
  server = createServer((req, res) => receiver.requestListener(req, res));
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { gate, url: `http://127.0.0.1:${port}/slack/events`, port };
}

const person = { teamId: "T0TEST", userId: "U0TEST", userName: "test" };

describe("the front door and the ack gate", () => {
  it("counts a delivery until its answer is out: Bolt's ack, a forged one's 401, an oversized one's 413", async () => {
    const { gate, url } = await frontDoor((res) => res.end());
    const body = slashCommandBody(person, "list", "http://127.0.0.1:9/respond");
    expect((await postSigned(url, body)).status).toBe(200);
    expect((await postSigned(url, body, { signature: `v0=${"0".repeat(64)}` })).status).toBe(401);
    expect((await postSigned(url, `${body}&pad=${"x".repeat(5000)}`)).status).toBe(413);
    await new Promise((r) => setImmediate(r));
    expect(gate.waiting).toBe(0);
  });

  it("is waiting while a delivery's body is still arriving, and lets go when the client hangs up", async () => {
    const { gate, port } = await frontDoor((res) => res.end());
    const req = request({
      host: "127.0.0.1",
      port,
      path: "/slack/events",
      method: "POST",
      headers: { "content-length": "100" },
    });
    req.on("error", () => undefined);
    req.write("token=partial");
    await new Promise((r) => setTimeout(r, 50));
    expect(gate.waiting).toBe(1);
    req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(gate.waiting).toBe(0);
  });

  it("does not count requests to other paths", async () => {
    const { gate, port } = await frontDoor((res) => res.end());
    await new Promise<void>((resolve) => {
      const req = request({ host: "127.0.0.1", port, path: "/health", method: "GET" }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.end();
    });
    expect(gate.waiting).toBe(0);
  });
});
