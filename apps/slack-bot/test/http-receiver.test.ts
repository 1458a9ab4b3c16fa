import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  postSigned,
  sign,
  slashCommandBody,
  TEST_SIGNING_SECRET,
} from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeApiKey, keyBody } from "../../../tests/fixtures/keys.ts";
import { DEV, everythingSeen, type Harness, OPS, OUTSIDER, startHarness } from "./harness.ts";

// Signed requests against the real HTTPReceiver on 127.0.0.1. Phase 1 has no store yet, so "nothing executed" is
// checked on what the bot sent to Slack: no response_url post, no Web API call beyond start-up's auth.test.

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const now = () => Math.floor(Date.now() / 1000);
const sentAfterStart = () => h.slack.calls.filter((c) => c.method !== "auth.test");

describe("HTTP receiver", () => {
  it("answers a valid signed /apikey help in the ack itself", async () => {
    const res = await h.command(DEV, "help");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: "ephemeral" });
    expect((res.json as { text: string }).text).toContain("/apikey rotate NAME");
  });

  it("acks first and answers a slow command through response_url", async () => {
    const res = await h.command(OPS, "list");
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    const [posted] = await h.slack.waitFor("response_url");
    expect(posted?.args).toMatchObject({ response_type: "ephemeral" });
  });

  it("refuses a forged signature, a wrong secret and a stale timestamp, running nothing", async () => {
    const body = slashCommandBody(OPS, "list", h.slack.responseUrl());
    const forged = await postSigned(h.url, body, { signature: `v0=${"0".repeat(64)}` });
    const wrongSecret = await postSigned(h.url, body, { secret: "fedcba9876543210fedcba9876543210" });
    const stale = await postSigned(h.url, body, { timestamp: now() - 6 * 60 });
    expect([forged.status, wrongSecret.status, stale.status]).toEqual([401, 401, 401]);
    // Signed for another body: the signature covers the whole body, not just the header.
    const ts = now();
    const swapped = await postSigned(h.url, body.replace("list", "status"), {
      timestamp: ts,
      signature: sign(TEST_SIGNING_SECRET, ts, body),
    });
    expect(swapped.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(sentAfterStart()).toEqual([]);
  });

  it("runs a replayed request (same signature and timestamp) once", async () => {
    const body = slashCommandBody(OPS, "list", h.slack.responseUrl());
    const ts = now();
    const first = await postSigned(h.url, body, { timestamp: ts });
    const again = await postSigned(h.url, body, { timestamp: ts });
    expect([first.status, again.status]).toEqual([200, 200]);
    await h.slack.waitFor("response_url");
    // A fresh delivery of the same command afterwards still runs: only the exact replay is dropped.
    await postSigned(h.url, body, { timestamp: ts + 1 });
    await h.slack.waitFor("response_url", 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.slack.callsTo("response_url")).toHaveLength(2);
    expect(h.logs.join("\n")).toContain("dropped a replayed delivery");
  });

  it("refuses a request stamped far in the future, which would outlive the replay memory", async () => {
    const res = await postSigned(h.url, slashCommandBody(OPS, "list", h.slack.responseUrl()), {
      timestamp: now() + 3600,
    });
    expect(res.status).toBe(401);
    expect(res.text).toBe("");
    await new Promise((r) => setTimeout(r, 100));
    expect(sentAfterStart()).toEqual([]);
  });

  it("answers a malformed body with 400 and an oversized one with 413", async () => {
    const bad = await postSigned(h.url, "{not json", { contentType: "application/json" });
    expect(bad.status).toBe(400);
    const huge = await postSigned(
      h.url,
      slashCommandBody(OPS, "x".repeat(300 * 1024), h.slack.responseUrl()),
    );
    expect(huge.status).toBe(413);
    expect(sentAfterStart()).toEqual([]);
  });

  it("names an unknown subcommand and refuses oversized text without echoing it", async () => {
    const unknown = await h.command(OPS, "frobnicate now");
    expect((unknown.json as { text: string }).text).toContain("Unknown subcommand `frobnicate`");
    const long = await h.command(OPS, `list ${"verylongprofilename".repeat(20)}`);
    expect((long.json as { text: string }).text).toContain("too long");
    expect(long.text).not.toContain("verylongprofilename");
    expect(sentAfterStart()).toEqual([]);
  });

  it("refuses a key typed into the command: nothing echoed, told to rotate", async () => {
    const key = fakeApiKey("SLACKCANARY");
    const res = await h.command(OPS, `add work ${key}`);
    expect(res.status).toBe(200);
    const text = (res.json as { text: string }).text;
    expect(text).toContain("rotate");
    expect(res.text).not.toContain(keyBody(key).slice(0, 20));
    // Even a truncated key counts.
    const partial = await h.command(OPS, `use ${key.slice(0, 30)}`);
    expect((partial.json as { text: string }).text).toContain("rotate");
    await new Promise((r) => setTimeout(r, 100));
    expect(sentAfterStart()).toEqual([]);
    const seen = everythingSeen(h, [res.text, partial.text]);
    expect(seen).not.toContain(keyBody(key).slice(0, 20));
    expect(h.logs.join("\n")).toContain("key-in-text");
  });

  it("refuses another workspace", async () => {
    const res = await h.command(OUTSIDER, "help");
    expect((res.json as { text: string }).text).toContain("workspace is not allowed");
    expect(h.logs.join("\n")).toContain("refused command from T0OTHER/U0OPS: workspace");
  });
});
