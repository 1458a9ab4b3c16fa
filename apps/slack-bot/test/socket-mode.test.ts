import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApiKey, keyBody } from "../../../tests/fixtures/keys.ts";
import { DEV, everythingSeen, type Harness, OPS, startHarness } from "./harness.ts";

// Socket Mode against the WebSocket stand-in: apps.connections.open hands out its ws://127.0.0.1 address, the
// stand-in sends envelopes and reads the acknowledgements.

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ mode: "socket" });
  await h.slack.socketConnected();
});
afterEach(async () => {
  await h.close();
});

const slashPayload = (person: typeof OPS, text: string) => ({
  token: "deprecated-verification-token",
  team_id: person.teamId,
  team_domain: "fake",
  channel_id: "C0CHAN",
  user_id: person.userId,
  user_name: person.userName ?? "someone",
  command: "/apikey",
  text,
  api_app_id: "A000FAKE",
  is_enterprise_install: "false",
  response_url: h.slack.responseUrl(),
  trigger_id: "trig.socket",
});

describe("Socket Mode", () => {
  it("opens the connection with the app token and acks a slash-command envelope with the answer", async () => {
    expect(h.slack.callsTo("apps.connections.open")).toHaveLength(1);
    const ack = await h.slack.sendEnvelope({ type: "slash_commands", payload: slashPayload(DEV, "help") });
    expect(ack).toMatchObject({ response_type: "ephemeral" });
    expect(String(ack.text)).toContain("/apikey list");
  });

  it("acks empty, then answers through response_url; a redelivered envelope runs once", async () => {
    const envelope = {
      type: "slash_commands" as const,
      payload: slashPayload(OPS, "status"),
      envelopeId: "env-1",
    };
    expect(await h.slack.sendEnvelope(envelope)).toEqual({});
    await h.slack.waitFor("response_url");
    expect(await h.slack.sendEnvelope(envelope)).toEqual({});
    await new Promise((r) => setTimeout(r, 150));
    expect(h.slack.callsTo("response_url")).toHaveLength(1);
  });

  it("refuses a key in the command text here too", async () => {
    const key = fakeApiKey("SOCKETCANARY");
    const ack = await h.slack.sendEnvelope({
      type: "slash_commands",
      payload: slashPayload(OPS, `add ${key}`),
    });
    expect(String(ack.text)).toContain("rotate");
    expect(JSON.stringify(ack)).not.toContain(keyBody(key).slice(0, 20));
    expect(everythingSeen(h)).not.toContain(keyBody(key).slice(0, 20));
  });
});
