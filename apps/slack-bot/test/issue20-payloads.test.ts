import { randomUUID } from "node:crypto";
import { propertySeed } from "@apikey/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  blockActionBody,
  eventBody,
  interactiveBody,
  sign,
  slashCommandBody,
  TEST_SIGNING_SECRET,
  viewSubmissionBody,
} from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeApiKey, keyBody } from "../../../tests/fixtures/keys.ts";
import { everythingSeen, type Harness, OPS, startHarness } from "./harness.ts";
import { mutate, rng } from "./payload-fuzz.ts";
import { postRaw } from "./raw-post.ts";
import { type StoreHarness, startStoreHarness } from "./store-harness.ts";

// Issue 20 item 11: whatever Slack (or someone holding a signed request) sends, the process keeps running, nothing
// runs on a value the bot does not take, keys are found however they are typed, and nothing unchecked is echoed.

const crashes: unknown[] = [];
const onCrash = (e: unknown) => crashes.push(e);
beforeAll(() => {
  process.on("unhandledRejection", onCrash);
  process.on("uncaughtException", onCrash);
});
afterAll(() => {
  process.off("unhandledRejection", onCrash);
  process.off("uncaughtException", onCrash);
});

let h: Harness | undefined;
let sh: StoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  await sh?.close();
  h = undefined;
  sh = undefined;
});

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
const settle = () => new Promise((r) => setTimeout(r, 150));

/** Signed exactly as Slack signs, with the content type given. */
function signedPost(url: string, body: string, contentType: string) {
  const ts = Math.floor(Date.now() / 1000);
  return postRaw(url, body, {
    "content-type": contentType,
    "x-slack-signature": sign(TEST_SIGNING_SECRET, ts, body),
    "x-slack-request-timestamp": String(ts),
  });
}

const sentAfterStart = (x: Harness) => x.slack.calls.filter((c) => c.method !== "auth.test");

/** The bot still answers: the process did not die and the receiver still works. */
async function stillAnswers(x: Harness) {
  const res = await x.command(OPS, "help");
  expect(res.status).toBe(200);
  expect(String((res.json as { text?: string })?.text)).toContain("/apikey list");
}

describe("issue 20 item 11: a signed body that is not a Slack payload never crashes the bot and runs nothing", () => {
  it("answers 400 to payload=null and every other non-object or malformed body, and keeps running", async () => {
    h = await startHarness();
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const deepObject = `${'{"a":'.repeat(40_000)}1${"}".repeat(40_000)}`;
    const cases: Array<[string, string, string]> = [
      ["payload=null", "payload=null", FORM],
      ["payload=1", "payload=1", FORM],
      ["payload=[]", "payload=%5B%5D", FORM],
      ['payload="x"', "payload=%22x%22", FORM],
      ["payload=true", "payload=true", FORM],
      ["payload={}", "payload=%7B%7D", FORM],
      ["payload= (empty)", "payload=", FORM],
      ["payload=nul (malformed)", "payload=nul", FORM],
      ["payload twice", "payload=null&payload=null", FORM],
      ["payload deep", `payload=${encodeURIComponent(deep.slice(0, 20_000) + deep.slice(-20_000))}`, FORM],
      ["payload missing fields", `payload=${encodeURIComponent('{"type":"block_actions"}')}`, FORM],
      [
        "payload view without state",
        interactiveBody({ type: "view_submission", user: { id: "U0OPS" }, view: {} }),
        FORM,
      ],
      ["payload unknown type", interactiveBody({ type: "shortcut", user: { id: "U0OPS" } }), FORM],
      ["JSON null", "null", JSON_TYPE],
      ["JSON []", "[]", JSON_TYPE],
      ["JSON 1", "1", JSON_TYPE],
      ['JSON "x"', '"x"', JSON_TYPE],
      ["JSON {}", "{}", JSON_TYPE],
      ["JSON deep array", deep, JSON_TYPE],
      ["JSON deep object", deepObject, JSON_TYPE],
      ["JSON event without event", JSON.stringify({ type: "event_callback", team_id: "T0TEAM" }), JSON_TYPE],
      [
        "JSON event user not a string",
        JSON.stringify({
          type: "event_callback",
          team_id: "T0TEAM",
          event: { type: "app_home_opened", user: 7 },
        }),
        JSON_TYPE,
      ],
      ["JSON message event (not subscribed)", eventBody(OPS, { type: "message", text: "hi" }), JSON_TYPE],
      ["form without command", "team_id=T0TEAM&user_id=U0OPS", FORM],
      ["command text twice", `${slashCommandBody(OPS, "help", "http://127.0.0.1:1/r")}&text=list`, FORM],
      ["another command", slashCommandBody(OPS, "help", "http://127.0.0.1:1/r", { command: "/other" }), FORM],
      ["command without user", slashCommandBody(OPS, "help", "http://127.0.0.1:1/r", { user_id: "" }), FORM],
      ["form as JSON type", slashCommandBody(OPS, "help", "http://127.0.0.1:1/r"), JSON_TYPE],
      ["not UTF-8", "payload=\xff\xfe", FORM],
    ];
    const statuses: Record<string, number> = {};
    for (const [label, body, type] of cases) {
      const raw = label === "not UTF-8" ? Buffer.from([0x70, 0x3d, 0xff, 0xfe]) : body;
      const ts = Math.floor(Date.now() / 1000);
      const res = await postRaw(h.url, raw, {
        "content-type": type,
        "x-slack-signature": sign(TEST_SIGNING_SECRET, ts, raw.toString()),
        "x-slack-request-timestamp": String(ts),
      });
      statuses[label] = res.status;
    }
    expect(Object.entries(statuses).filter(([, s]) => s !== 400)).toEqual([]);
    const huge = await signedPost(h.url, `payload=${"x".repeat(300 * 1024)}`, FORM);
    expect(huge.status).toBe(413);
    await settle();
    expect(crashes).toEqual([]);
    expect(sentAfterStart(h)).toEqual([]);
    expect(h.logs.filter((l) => l.includes("refused an HTTP delivery")).length).toBeGreaterThanOrEqual(
      cases.length,
    );
    await stillAnswers(h);
  });

  it("Socket Mode: a null, non-object or incomplete payload is acked and dropped, and the bot keeps running", async () => {
    h = await startHarness({ mode: "socket" });
    await h.slack.socketConnected();
    const payloads: unknown[] = [
      null,
      [],
      "x",
      7,
      {},
      { command: "/apikey", text: "list" },
      { command: "/apikey", text: ["list"], team_id: "T0TEAM", user_id: "U0OPS" },
      {
        type: "block_actions",
        user: { id: "U0OPS" },
        actions: [{ type: "button", action_id: "apikey_home_use", value: "{}" }],
      },
    ];
    for (const payload of payloads) {
      await h.slack.sendEnvelope({
        type: "slash_commands",
        payload: payload as never,
        envelopeId: randomUUID(),
      });
      await h.slack.sendEnvelope({
        type: "interactive",
        payload: payload as never,
        envelopeId: randomUUID(),
      });
    }
    await settle();
    expect(crashes).toEqual([]);
    expect(sentAfterStart(h).filter((c) => c.method !== "apps.connections.open")).toEqual([]);
    expect(h.logs.filter((l) => l.includes("refused a delivery: payload")).length).toBe(payloads.length * 2);
    const ack = await h.slack.sendEnvelope({
      type: "slash_commands",
      payload: {
        command: "/apikey",
        text: "help",
        team_id: OPS.teamId,
        user_id: OPS.userId,
        channel_id: "C0CHAN",
        response_url: h.slack.responseUrl(),
        trigger_id: "trig.1",
      },
    });
    expect(String(ack.text)).toContain("/apikey list");
  });
});

describe("issue 20 item 11: the key-in-text guard normalises before it looks", () => {
  const key = fakeApiKey("SLACKLOOSE");
  const body = key.slice("sk-ant-".length);
  const fullwidth = (s: string) =>
    [...s]
      .map((c) => (c >= "!" && c <= "~" ? String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0) : c))
      .join("");
  const spellings = [
    `add work sk-ant- ${body}`,
    `add work sk-ant-\u200b${body}`,
    `add work sk-ant-\u2060${body}`,
    `add work sk-ant-\ufeff${body}`,
    `add work sk\u00ad-ant-${body}`,
    `add work ${fullwidth("sk-ant")}-${body}`,
    `add work ｓｋ－ａｎｔ－${body.slice(0, 20)}`,
    `use sk-ant-api03-\n${body.slice(6, 40)}`,
    `use sk\u2011ant\u2011api03\u2011${body.slice(6, 30)}`,
  ];

  it("refuses each spelling of a key in a command: told to rotate, nothing echoed or run", async () => {
    h = await startHarness();
    const texts: string[] = [];
    for (const text of spellings) {
      const res = await h.command(OPS, text);
      texts.push(res.text);
      expect(String((res.json as { text?: string })?.text), JSON.stringify(text)).toContain("rotate");
    }
    await settle();
    expect(sentAfterStart(h)).toEqual([]);
    expect(everythingSeen(h, texts)).not.toContain(keyBody(key).slice(10, 30));
    expect(h.logs.filter((l) => l.includes("key-in-text")).length).toBe(spellings.length);
  });

  it("lets ordinary commands through", async () => {
    h = await startHarness();
    for (const text of ["help", "list prod", "usage 30d by model", "rename sk-old sk-new-2"]) {
      const res = await h.command(OPS, text);
      expect(String((res.json as { text?: string })?.text ?? "")).not.toContain(
        "shaped like an Anthropic key",
      );
    }
  });
});

describe("issue 20 item 11: nothing unchecked is echoed", () => {
  it("names back only a valid name in the not-found and not-allowed replies", async () => {
    sh = await startStoreHarness();
    const reply = async (text: string) => {
      const before = sh?.slack.callsTo("response_url").length ?? 0;
      const res = await sh?.command(OPS, text);
      if (res?.text) return res.text;
      const posts = (await sh?.slack.waitFor("response_url", before + 1)) ?? [];
      return JSON.stringify(posts[before]?.args ?? {});
    };
    expect(await reply("use nope")).toContain("No key named *nope*");
    const hostile = [
      "x".repeat(150),
      "<!channel>",
      "<@U0OPS>",
      "*bold*-name",
      "name\u202eevil",
      "naïve",
      "ｗｏｒｋ",
      "a`b",
      "apk-gw-FAKE_TEST_TOKEN",
      "-dash",
    ];
    for (const name of hostile) {
      for (const text of [
        `use ${name}`,
        `use work ${name}`,
        `validate ${name}/work`,
        `list ${name}`,
        `usage key ${name}`,
      ]) {
        const out = await reply(text);
        expect(out, text).toContain("not a valid");
        expect(out, text).not.toContain(name);
      }
    }
    const unknown = await sh.command(OPS, "<!channel>");
    expect(unknown.text).not.toContain("<!channel>");
    expect(unknown.text).toContain("Unknown subcommand");
  });
});

describe("issue 20 item 11: every value from Slack is checked before anything runs", () => {
  const valid = JSON.stringify({ profile: "prod", name: "work" });
  const tamperedButtons: Array<[string, Record<string, unknown>]> = [
    ["value not JSON", { action_id: "apikey_delete", value: "prod/work" }],
    [
      "value oversized",
      { action_id: "apikey_delete", value: JSON.stringify({ profile: "prod", name: "w".repeat(5000) }) },
    ],
    [
      "value wrong types",
      { action_id: "apikey_delete", value: JSON.stringify({ profile: 1, name: ["work"] }) },
    ],
    [
      "value extra field",
      { action_id: "apikey_delete", value: JSON.stringify({ profile: "prod", name: "work", all: true }) },
    ],
    [
      "value markup profile",
      { action_id: "apikey_delete", value: JSON.stringify({ profile: "<!channel>", name: "work" }) },
    ],
    [
      "value key-shaped name",
      {
        action_id: "apikey_home_use",
        value: JSON.stringify({ profile: "prod", name: fakeApiKey("BTN").slice(0, 60) }),
      },
    ],
    ["value missing", { action_id: "apikey_delete" }],
    ["value a number", { action_id: "apikey_delete", value: 7 }],
    ["unknown action_id", { action_id: "apikey_delete_all", value: valid }],
    ["action_id not a string", { action_id: ["apikey_delete"], value: valid }],
    ["not a button", { action_id: "apikey_delete", value: valid, type: "static_select" }],
  ];

  it("refuses tampered buttons with 400: nothing posted, deleted or switched", async () => {
    sh = await startStoreHarness({
      policy: "workspaces: { teams: [T0TEAM] }\nprofiles:\n  '*':\n    operate: { users: [U0OPS] }\n",
    });
    const statuses: Record<string, number> = {};
    for (const [label, action] of tamperedButtons) {
      const body = blockActionBody(OPS, action as never, { responseUrl: sh.slack.responseUrl() });
      statuses[label] = (await signedPost(sh.url, body, FORM)).status;
    }
    const twoActions = JSON.parse(
      new URLSearchParams(blockActionBody(OPS, { action_id: "apikey_delete", value: valid })).get(
        "payload",
      ) ?? "{}",
    );
    twoActions.actions = [twoActions.actions[0], twoActions.actions[0]];
    statuses["two actions"] = (await signedPost(sh.url, interactiveBody(twoActions), FORM)).status;
    expect(Object.entries(statuses).filter(([, s]) => s !== 400)).toEqual([]);
    await settle();
    expect(sentAfterStart(sh)).toEqual([]);
    expect(crashes).toEqual([]);
    expect(everythingSeen(sh)).not.toContain("<!channel>");
  });

  it("refuses tampered form submissions with 400: metadata, callback, state, select values, sizes", async () => {
    sh = await startStoreHarness({
      policy: "workspaces: { teams: [T0TEAM] }\nprofiles:\n  '*':\n    operate: { users: [U0OPS] }\n",
    });
    const view = (extra: Record<string, unknown>) => ({
      id: "V0FAKE1",
      callback_id: "apikey_rotate",
      private_metadata: JSON.stringify({ profile: "prod", name: "work" }),
      ...extra,
    });
    const text = (value: unknown) => ({ value: { type: "plain_text_input", value } });
    const select = (value: unknown) => ({ value: { type: "static_select", selected_option: { value } } });
    const cases: Array<[string, Record<string, unknown>, Record<string, Record<string, unknown>>]> = [
      ["metadata not JSON", view({ private_metadata: "prod/work" }), { new_key: text(fakeApiKey("NEW")) }],
      [
        "metadata extra field",
        view({ private_metadata: JSON.stringify({ profile: "prod", name: "work", admin: true }) }),
        {},
      ],
      [
        "metadata markup profile",
        view({ private_metadata: JSON.stringify({ profile: "<!here>", name: "work" }) }),
        {},
      ],
      ["metadata oversized", view({ private_metadata: JSON.stringify({ profile: "p".repeat(4000) }) }), {}],
      ["metadata a number", view({ private_metadata: 7 }), {}],
      ["unknown callback", view({ callback_id: "apikey_delete_everything" }), {}],
      ["unknown block", view({}), { new_key: text(fakeApiKey("NEW")), admin: text("yes") }],
      [
        "unknown action in a block",
        view({}),
        { new_key: { other: { type: "plain_text_input", value: "x" } } },
      ],
      ["grace not offered", view({}), { new_key: text(fakeApiKey("NEW")), grace: select("31536000000") }],
      ["grace a number", view({}), { new_key: text(fakeApiKey("NEW")), grace: select(0) }],
      ["upstream not offered", view({}), { new_key: text(fakeApiKey("NEW")), upstream: select("maybe") }],
      ["text value a number", view({}), { new_key: text(12345) }],
      ["text value oversized", view({}), { new_key: text("x".repeat(3001)) }],
      ["element type swapped", view({}), { new_key: select("x") }],
    ];
    const statuses: Record<string, number> = {};
    for (const [label, v, values] of cases) {
      const body = viewSubmissionBody(OPS, v, values as never);
      statuses[label] = (await signedPost(sh.url, body, FORM)).status;
    }
    expect(Object.entries(statuses).filter(([, s]) => s !== 400)).toEqual([]);
    await settle();
    expect(sentAfterStart(sh)).toEqual([]);
    expect(sh.anthropic.requests).toHaveLength(0);
    expect(crashes).toEqual([]);
  });

  it("still takes what Slack really sends: a valid button and a valid event", async () => {
    h = await startHarness();
    const ok = await signedPost(
      h.url,
      blockActionBody(
        OPS,
        { action_id: "apikey_delete", value: JSON.stringify({ profile: "prod", name: "work" }) },
        { responseUrl: h.slack.responseUrl() },
      ),
      FORM,
    );
    expect(ok.status).toBe(200);
    const event = await signedPost(
      h.url,
      eventBody(OPS, { type: "app_home_opened", tab: "home", channel: "D0OPS" }),
      JSON_TYPE,
    );
    expect(event.status).toBe(200);
  });
});

describe("issue 20 item 11: signed mutations of real payloads against the real receiver (seeded, prints its seed)", () => {
  it("answers each with 200 or 400, never crashes, and keeps answering", async () => {
    h = await startHarness();
    const seed = propertySeed("slack receiver fuzz", Date.now() % 1_000_000);
    const r = rng(seed);
    const ref = JSON.stringify({ profile: "prod", name: "work" });
    const bases = () => [
      JSON.parse(
        new URLSearchParams(blockActionBody(OPS, { action_id: "apikey_delete", value: ref })).get(
          "payload",
        ) ?? "{}",
      ),
      JSON.parse(
        new URLSearchParams(
          viewSubmissionBody(OPS, { id: "V1", callback_id: "apikey_rotate", private_metadata: ref }, {}),
        ).get("payload") ?? "{}",
      ),
      JSON.parse(eventBody(OPS, { type: "app_home_opened", tab: "home", channel: "D0OPS" })),
      Object.fromEntries(new URLSearchParams(slashCommandBody(OPS, "status", "http://127.0.0.1:1/r"))),
    ];
    const statuses = new Set<number>();
    for (let i = 0; i < 60; i++) {
      const all = bases();
      const base = all[r(all.length)] as Record<string, unknown>;
      mutate(base, r);
      const asForm = "command" in base || "user_id" in base;
      const asEvent = base.type === "event_callback" || r(4) === 0;
      const res = asForm
        ? await signedPost(
            h.url,
            new URLSearchParams(
              Object.entries(base).map(([k, v]): [string, string] => [
                k,
                typeof v === "string" ? v : String(JSON.stringify(v)),
              ]),
            ).toString(),
            FORM,
          )
        : asEvent
          ? await signedPost(h.url, JSON.stringify(base), JSON_TYPE)
          : await signedPost(h.url, interactiveBody(base), FORM);
      statuses.add(res.status);
    }
    expect(
      [...statuses].filter((s) => s !== 200 && s !== 400),
      `seed ${seed}`,
    ).toEqual([]);
    await settle();
    expect(crashes, `seed ${seed}`).toEqual([]);
    await stillAnswers(h);
  });
});
