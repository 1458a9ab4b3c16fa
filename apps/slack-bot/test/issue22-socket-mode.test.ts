import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEV, type Harness, OPS, startHarness } from "./harness.ts";

// Issue 22 item 10: Slack's `disconnect` message (`refresh_requested`, `warning`) asks the client to open a new
// connection before the old one closes; an envelope Slack sends on the old connection meanwhile must still be
// acked and run. The stand-in speaks Slack's Socket Mode protocol over WebSocket on 127.0.0.1.

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

describe("issue 22 item 10: a Socket Mode disconnect message opens the new connection before closing the old", () => {
  for (const reason of ["refresh_requested", "warning"] as const) {
    it(`on "${reason}": an envelope sent right after is acked and run, the new connection is up at once`, async () => {
      const started = Date.now();
      const old = h.slack.sendDisconnect(reason);
      // Sent on the old connection right after the message, as Slack may.
      const help = await h.slack.sendEnvelope(
        { type: "slash_commands", payload: slashPayload(DEV, "help") },
        3_000,
        old,
      );
      expect(String(help.text)).toContain("/apikey list");
      const status = await h.slack.sendEnvelope(
        { type: "slash_commands", payload: slashPayload(OPS, "status") },
        3_000,
        old,
      );
      expect(status).toEqual({});
      await h.slack.waitFor("response_url", 1, 3_000);

      await h.slack.connectionOpened(old + 1, 3_000);
      // The old one was still open when the new one was opened; it closes once the new one said hello.
      await h.slack.connectionClosed(old, 3_000);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(h.slack.connections()).toEqual({ opened: 2, open: 1 });
      expect(h.slack.callsTo("apps.connections.open")).toHaveLength(2);

      // And the new connection carries the next envelope.
      const again = await h.slack.sendEnvelope({
        type: "slash_commands",
        payload: slashPayload(DEV, "help"),
      });
      expect(String(again.text)).toContain("/apikey list");
    });
  }
});
