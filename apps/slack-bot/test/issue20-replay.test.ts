import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { sign, slashCommandBody, TEST_SIGNING_SECRET } from "../../../tests/fixtures/fake-slack-requests.ts";
import type { Refusal } from "../src/guards.ts";
import { type Harness, OPS, startHarness } from "./harness.ts";
import { postRaw } from "./raw-post.ts";

// Bolt verifies only the hex after the first "=" of x-slack-signature and reads the timestamp with Number(), so
// one signed request has many spellings that all verify. Each must be refused before anything runs, and a
// delivery is named by what was verified, so no spelling replays a command.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const now = () => Math.floor(Date.now() / 1000);
const FORM = "application/x-www-form-urlencoded";
const hexOf = (signature: string) => signature.slice(3);

/** Spellings of a signature Bolt accepts (or might) besides the canonical `v0=<64 lowercase hex>`. */
const signatureSpellings = (sig: string): string[] => [
  `${sig}=`,
  `${sig}=x`,
  `${sig}==`,
  `${sig}=${hexOf(sig)}`,
  `v0=${hexOf(sig).toUpperCase()}`,
  `V0=${hexOf(sig)}`,
  `v0=${hexOf(sig).slice(0, 63)}`,
  `v0=${hexOf(sig)}0`,
  `v0==${hexOf(sig)}`,
  `v1=${hexOf(sig)}`,
];

/** Spellings of a timestamp that Number() reads as the same second. */
const timestampSpellings = (ts: number): string[] => [
  `${ts}.0`,
  `+${ts}`,
  `0${ts}`,
  `${ts}e0`,
  `0x${ts.toString(16)}`,
  `0X${ts.toString(16).toUpperCase()}`,
  `0o${ts.toString(8)}`,
  `0b${ts.toString(2)}`,
  `${ts}.000`,
  `${ts / 10}e1`,
  `${ts}\u00a0`,
  `${ts}.`,
];

const runs = () => h?.slack.callsTo("response_url").length ?? 0;
const settle = () => new Promise((r) => setTimeout(r, 150));

describe("issue 20 item 5: the replay guard keys on what was verified; re-spelled headers are refused", () => {
  it("refuses every re-spelling of an already-delivered request, and the command ran once", async () => {
    const refusals: Refusal[] = [];
    h = await startHarness({ onRefusal: (r) => void refusals.push(r) });
    const body = slashCommandBody(OPS, "list", h.slack.responseUrl());
    const ts = now();
    const sig = sign(TEST_SIGNING_SECRET, ts, body);
    const first = await postRaw(h.url, body, {
      "content-type": FORM,
      "x-slack-signature": sig,
      "x-slack-request-timestamp": String(ts),
    });
    expect(first.status).toBe(200);
    await h.slack.waitFor("response_url");

    const statuses: Record<string, number> = {};
    for (const s of signatureSpellings(sig)) {
      const res = await postRaw(h.url, body, {
        "content-type": FORM,
        "x-slack-signature": s,
        "x-slack-request-timestamp": String(ts),
      });
      statuses[`sig ${s.replace(hexOf(sig), "<hex>")}`] = res.status;
    }
    for (const t of timestampSpellings(ts)) {
      const res = await postRaw(h.url, body, {
        "content-type": FORM,
        "x-slack-signature": sig,
        "x-slack-request-timestamp": t,
      });
      statuses[`ts ${JSON.stringify(t)}`] = res.status;
    }
    // The same header twice (Node joins them with ", "), and both headers re-spelled at once.
    const twice = await postRaw(h.url, body, {
      "content-type": FORM,
      "x-slack-signature": [sig, sig],
      "x-slack-request-timestamp": [String(ts), String(ts)],
    });
    statuses["both headers twice"] = twice.status;
    const both = await postRaw(h.url, body, {
      "content-type": FORM,
      "x-slack-signature": `${sig}=`,
      "x-slack-request-timestamp": `+${ts}`,
    });
    statuses["both re-spelled"] = both.status;

    await settle();
    expect(Object.entries(statuses).filter(([, status]) => status !== 401)).toEqual([]);
    expect(runs()).toBe(1);
    // Logged by reason, never with the header's text.
    const log = h.logs.join("\n");
    expect(log).toContain("refused an HTTP delivery");
    expect(log).not.toContain(hexOf(sig));
    // The spellings Bolt would have taken are captured authentic requests: audited as replay attempts, by who sent
    // the original; the others are noise and only logged.
    expect(log).toContain("(authentic request re-spelled)");
    expect(refusals.length).toBeGreaterThanOrEqual(4);
    for (const r of refusals)
      expect(r).toMatchObject({ reason: "delivery", where: "http", actor: { userId: OPS.userId } });
  });

  it("refuses a non-canonical first delivery (nothing runs), then takes the canonical one once", async () => {
    h = await startHarness();
    const ts = now();
    const spelled: Array<{ sig: (s: string) => string; ts: string }> = [
      ...signatureSpellings("v0=x").map((_, i) => ({
        sig: (s: string) => signatureSpellings(s)[i] as string,
        ts: String(ts),
      })),
      ...timestampSpellings(ts).map((t) => ({ sig: (s: string) => s, ts: t })),
    ];
    const bodies: string[] = [];
    for (const spelling of spelled) {
      const body = slashCommandBody(OPS, "list", h.slack.responseUrl());
      bodies.push(body);
      const res = await postRaw(h.url, body, {
        "content-type": FORM,
        "x-slack-signature": spelling.sig(sign(TEST_SIGNING_SECRET, ts, body)),
        "x-slack-request-timestamp": spelling.ts,
      });
      expect(res.status, `${spelling.ts} ${spelling.sig("v0=<sig>")}`).toBe(401);
    }
    await settle();
    expect(runs()).toBe(0);
    // The same bodies, spelled as Slack spells them, are first deliveries and run.
    for (const body of bodies.slice(0, 3)) {
      const res = await postRaw(h.url, body, {
        "content-type": FORM,
        "x-slack-signature": sign(TEST_SIGNING_SECRET, ts, body),
        "x-slack-request-timestamp": String(ts),
      });
      expect(res.status).toBe(200);
    }
    await h.slack.waitFor("response_url", 3);
    await settle();
    expect(runs()).toBe(3);
  });

  it("refuses a timestamp out of range or missing headers, with 401 and nothing run", async () => {
    h = await startHarness();
    const cases: Array<[string, Record<string, string>]> = [];
    for (const ts of [now() - 6 * 60, now() + 6 * 60, 0, 99_999_999_999_999]) {
      const body = slashCommandBody(OPS, "list", h.slack.responseUrl());
      cases.push([
        `ts ${ts}`,
        {
          "content-type": FORM,
          "x-slack-signature": sign(TEST_SIGNING_SECRET, ts, body),
          "x-slack-request-timestamp": String(ts),
          body,
        },
      ]);
    }
    const body = slashCommandBody(OPS, "list", h.slack.responseUrl());
    cases.push(["no signature", { "content-type": FORM, "x-slack-request-timestamp": String(now()), body }]);
    cases.push([
      "no timestamp",
      { "content-type": FORM, "x-slack-signature": sign(TEST_SIGNING_SECRET, now(), body), body },
    ]);
    for (const [label, { body: b, ...headers }] of cases) {
      const res = await postRaw(h.url, b as string, headers);
      expect(res.status, label).toBe(401);
    }
    await settle();
    expect(runs()).toBe(0);
  });

  it("Socket Mode: an envelope id is named canonically, so a re-spelled redelivery runs once", async () => {
    h = await startHarness({ mode: "socket" });
    await h.slack.socketConnected();
    const id = randomUUID();
    const payload = () => ({
      token: "deprecated-verification-token",
      team_id: OPS.teamId,
      channel_id: "C0CHAN",
      user_id: OPS.userId,
      user_name: "olga",
      command: "/apikey",
      text: "status",
      api_app_id: "A000FAKE",
      response_url: h?.slack.responseUrl(),
      trigger_id: "trig.socket",
    });
    await h.slack.sendEnvelope({ type: "slash_commands", payload: payload(), envelopeId: id });
    await h.slack.waitFor("response_url");
    await h.slack.sendEnvelope({ type: "slash_commands", payload: payload(), envelopeId: id.toUpperCase() });
    // An id that is not an id at all names nothing: dropped, never run.
    await h.slack.sendEnvelope({ type: "slash_commands", payload: payload(), envelopeId: "x".repeat(500) });
    await h.slack.sendEnvelope({ type: "slash_commands", payload: payload(), envelopeId: `${id}\n` });
    await settle();
    expect(runs()).toBe(1);
  });
});
