import { propertySeed } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import {
  blockActionBody,
  eventBody,
  slashCommandBody,
  viewSubmissionBody,
} from "../../../tests/fixtures/fake-slack-requests.ts";
import { mutate, rng } from "../test/payload-fuzz.ts";
import { checkPayload, claimedActor, KeyRef, parseSlackBody } from "./payload.ts";
import { FormOrigin } from "./render/submission.ts";

// The one check of what Slack sends, as a pure function: known-good bodies pass, and a seeded fuzz of mutations
// never throws and never lets through a body whose read fields have the wrong type.

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
const OPS = { teamId: "T0TEAM", userId: "U0OPS", userName: "olga" };
const REF = JSON.stringify({ profile: "prod", name: "work" });

const goodBodies: Array<[string, string]> = [
  [slashCommandBody(OPS, "list prod", "https://hooks.slack.com/commands/T0/1/x"), FORM],
  [
    blockActionBody(
      OPS,
      { action_id: "apikey_delete", value: REF },
      { responseUrl: "https://hooks.slack.com/a" },
    ),
    FORM,
  ],
  [blockActionBody(OPS, { action_id: "apikey_home_use", value: REF }, { home: true }), FORM],
  [
    viewSubmissionBody(
      OPS,
      {
        id: "V1",
        callback_id: "apikey_add",
        private_metadata: JSON.stringify({ channel: "C0CHAN", profile: "prod" }),
      },
      {
        name: { value: { type: "plain_text_input", value: "work" } },
        key: { value: { type: "plain_text_input", value: null } },
      },
    ),
    FORM,
  ],
  [
    viewSubmissionBody(
      OPS,
      { id: "V2", callback_id: "apikey_rotate", private_metadata: REF },
      {
        new_key: { value: { type: "plain_text_input", value: "x" } },
        grace: { value: { type: "static_select", selected_option: { value: "0" } } },
        upstream: { value: { type: "static_select", selected_option: { value: "keep" } } },
      },
    ),
    FORM,
  ],
  [eventBody(OPS, { type: "app_home_opened", tab: "home", channel: "D0OPS" }), JSON_TYPE],
  [JSON.stringify({ type: "url_verification", challenge: "abc123", token: "t" }), JSON_TYPE],
];

describe("checkPayload", () => {
  it("accepts what Slack sends for every listener", () => {
    for (const [body, type] of goodBodies)
      expect(checkPayload(parseSlackBody(body, type)), body).toEqual({ ok: true });
  });

  it("refuses non-objects and unknown kinds with a short code", () => {
    for (const body of [null, 1, "x", [], true, undefined])
      expect(checkPayload(body)).toEqual({ ok: false, reason: "not-an-object" });
    expect(checkPayload({ type: "shortcut" })).toEqual({ ok: false, reason: "unknown-type" });
    expect(checkPayload({ type: "block_actions" })).toEqual({ ok: false, reason: "block_actions-fields" });
  });

  it("reads a claimed actor only from id-shaped fields", () => {
    expect(claimedActor(null)).toEqual({ teamId: undefined, enterpriseId: undefined, userId: "" });
    expect(claimedActor({ user: { id: "U0OPS", team_id: "T0TEAM" } })).toMatchObject({
      teamId: "T0TEAM",
      userId: "U0OPS",
    });
    expect(claimedActor({ user_id: "<!channel>", team_id: "sk-ant-x" })).toMatchObject({
      teamId: undefined,
      userId: "",
    });
  });
});

describe("checkPayload under a seeded fuzz (prints its seed)", () => {
  it("never throws, and whatever it accepts has the types the listeners read", () => {
    const seed = propertySeed("slack payload fuzz", Date.now() % 1_000_000);
    const r = rng(seed);
    let accepted = 0;
    for (let i = 0; i < 1500; i++) {
      const [body, type] = goodBodies[r(goodBodies.length)] as [string, string];
      const parsed = parseSlackBody(body, type) as Record<string, unknown>;
      mutate(parsed, r);
      const label = `seed ${seed} case ${i}`;
      let result: ReturnType<typeof checkPayload> | undefined;
      expect(() => {
        result = checkPayload(parsed);
      }, label).not.toThrow();
      if (!result?.ok) {
        expect(result?.reason, label).toMatch(/^[a-z_-]+$/);
        continue;
      }
      accepted++;
      // What the listeners read is there with its type.
      if (typeof parsed.command === "string") expect(typeof parsed.text, label).toBe("string");
      if (parsed.type === "block_actions") {
        const [action] = parsed.actions as Array<{ value: string }>;
        expect(KeyRef.safeParse(JSON.parse(action?.value ?? "")).success, label).toBe(true);
      }
      if (parsed.type === "view_submission") {
        const view = parsed.view as { private_metadata?: string; state: { values: Record<string, unknown> } };
        const meta = view.private_metadata ?? "";
        if (meta !== "") expect(FormOrigin.safeParse(JSON.parse(meta)).success, label).toBe(true);
        for (const block of Object.values(view.state.values)) {
          const el = (block as { value: { type: string; value?: unknown } }).value;
          if (el.type === "plain_text_input")
            expect(["string", "undefined", "object"]).toContain(typeof el.value);
        }
      }
    }
    // Some mutations leave a body valid (an unread field changed): the check is not refusing everything.
    expect(accepted).toBeGreaterThan(0);
  });

  it("parses raw bodies the way Bolt does, and malformed JSON throws (answered 400 by the front door)", () => {
    const seed = propertySeed("slack raw body fuzz", 4242);
    const r = rng(seed);
    const alphabet = [
      "payload=",
      "null",
      "%7B",
      "%22",
      "&",
      "=",
      "{",
      "}",
      "[",
      "]",
      '"',
      ":",
      ",",
      "x",
      "1",
      "\u0000",
      "é",
    ];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: r(30) }, () => alphabet[r(alphabet.length)]).join("");
      const type = r(2) === 0 ? FORM : JSON_TYPE;
      let body: unknown;
      try {
        body = parseSlackBody(text, type);
      } catch (err) {
        expect(err, `seed ${seed} case ${i}`).toBeInstanceOf(SyntaxError);
        continue;
      }
      expect(() => checkPayload(body), `seed ${seed} case ${i}`).not.toThrow();
    }
  });
});
