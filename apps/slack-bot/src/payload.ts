import { parse as parseQuery } from "node:querystring";
import { z } from "zod";
import { MAX_AUDIT } from "./commands/parse.ts";
import { COMMAND } from "./listeners/commands/name.ts";
import { isNameRef, NameRef } from "./name-ref.ts";
import { DELETE_ACTION } from "./render/delete-confirm.ts";
import { HOME_PAGE_ACTION, HOME_ROTATE_ACTION, HOME_USE_ACTION } from "./render/home.ts";
import { ADD_CALLBACK, GRACE_CHOICES, ROTATE_CALLBACK } from "./render/modals.ts";
import { MORE_ACTION } from "./render/paging.ts";
import { FormOrigin } from "./render/submission.ts";

// Everything Slack sends the bot, checked in one place before any listener runs: the slash command, the buttons
// (action_id and value), the submitted forms (callback_id, private_metadata, every input's state) and the one
// event. Whatever does not fit is refused unread, in both modes. Fields the bot never reads may come and go with
// Slack's API (objects stay open); every field it reads has a type, a length and, where it names something, the
// core's name rule. What a value means (may this person do it, does this key exist) is decided later.

/** Slack's ids: team, user, enterprise, app, channel. */
const SlackId = z.string().regex(/^[A-Z0-9][A-Z0-9_]{1,31}$/);
const Printable = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[\x21-\x7e]*$/);
const HttpUrl = z
  .string()
  .max(2000)
  .refine((s) => /^https?:\/\/[^\s]+$/.test(s) && URL.canParse(s));

/** A JSON document inside a string field (a button value, private_metadata), then checked by `schema`. */
function jsonIn<T extends z.ZodType>(max: number, schema: T) {
  return z
    .string()
    .max(max)
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** Which key a button acts on. */
export const KeyRef = z.strictObject({ profile: NameRef, name: NameRef });
export type KeyRef = z.output<typeof KeyRef>;

/** Which page of which list a "Show more" (or the Home tab's page) button asks for; 0-based. */
const PageNo = z.number().int().min(0).max(10_000);
export const PageRef = z.discriminatedUnion("v", [
  z.strictObject({ v: z.literal("list"), p: PageNo, profile: NameRef.optional() }),
  z.strictObject({ v: z.literal("status"), p: PageNo }),
  z.strictObject({ v: z.literal("audit"), p: PageNo, n: z.number().int().min(1).max(MAX_AUDIT) }),
  z.strictObject({
    v: z.literal("usage"),
    p: PageNo,
    w: z.enum(["7d", "30d"]),
    by: z.enum(["day", "model", "key", "token"]),
    key: z
      .string()
      .max(129)
      .refine((ref) => ref.split("/").length <= 2 && ref.split("/").every(isNameRef))
      .optional(),
  }),
  z.strictObject({ v: z.literal("home"), p: PageNo }),
]);
export type PageRef = z.output<typeof PageRef>;

// Bolt routes a body by which fields are present (event, then command, then name, then actions) before any
// listener runs, and dereferences what it finds; so a field that would route a body elsewhere must be absent, and
// every field Bolt reads on the way (authorizations, enterprise, team, response_urls…) has its type here too.
const absent = z.never().optional();
const EnterpriseFlag = z.union([z.boolean(), z.enum(["true", "false"])]).optional();
const Enterprise = z.looseObject({ id: SlackId }).nullish();

const Person = z.looseObject({
  id: SlackId,
  team_id: SlackId.optional(),
  username: z.string().max(100).optional(),
  name: z.string().max(100).optional(),
});
const Team = z.looseObject({ id: SlackId, enterprise_id: SlackId.nullish() }).nullable();

const SlashCommand = z.looseObject({
  event: absent,
  command: z.literal(COMMAND),
  is_enterprise_install: EnterpriseFlag,
  // Slack caps a command's text at 4,000 characters; the parser answers anything over its own limit politely.
  text: z.string().max(4000),
  team_id: SlackId,
  enterprise_id: SlackId.optional(),
  user_id: SlackId,
  user_name: z.string().max(100).optional(),
  channel_id: SlackId.optional(),
  trigger_id: Printable(256).optional(),
  response_url: HttpUrl.optional(),
});

const Button = z.union([
  z.looseObject({
    type: z.literal("button"),
    action_id: z.enum([DELETE_ACTION, HOME_USE_ACTION, HOME_ROTATE_ACTION]),
    block_id: z.string().max(255).optional(),
    value: jsonIn(300, KeyRef),
  }),
  z.looseObject({
    type: z.literal("button"),
    action_id: z.enum([MORE_ACTION, HOME_PAGE_ACTION]),
    block_id: z.string().max(255).optional(),
    value: jsonIn(300, PageRef),
  }),
]);

const BlockActions = z.looseObject({
  event: absent,
  command: absent,
  name: absent,
  function_data: absent,
  bot_access_token: absent,
  type: z.literal("block_actions"),
  is_enterprise_install: EnterpriseFlag,
  enterprise: Enterprise,
  user: Person,
  team: Team.optional(),
  channel: z.looseObject({ id: SlackId }).optional(),
  trigger_id: Printable(256).optional(),
  response_url: HttpUrl.optional(),
  // The bot's messages and Home tab hold only buttons, and Slack sends one action per click.
  actions: z.tuple([Button]),
});

const TextInput = (max: number) =>
  z.strictObject({
    value: z.looseObject({ type: z.literal("plain_text_input"), value: z.string().max(max).nullish() }),
  });
const Select = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.strictObject({
    value: z.looseObject({
      type: z.literal("static_select"),
      selected_option: z.looseObject({ value: z.enum(values) }).nullish(),
    }),
  });

// Slack caps a text input at 3,000 characters; anything longer did not come from a form. Tighter limits are the
// core's (a name, a key's shape), so a key typed into the name field still gets the key-in-text answer.
const INPUT_MAX = 3000;
const AddValues = z.strictObject({
  name: TextInput(INPUT_MAX).optional(),
  profile: TextInput(INPUT_MAX).optional(),
  key: TextInput(INPUT_MAX).optional(),
});
const RotateValues = z.strictObject({
  new_key: TextInput(INPUT_MAX).optional(),
  grace: Select(GRACE_CHOICES.map((c) => c.value) as [string, ...string[]]).optional(),
  upstream: Select(["deactivate", "keep"]).optional(),
});

const Metadata = z.union([z.literal(""), jsonIn(3000, FormOrigin)]);
const view = <C extends string, V extends z.ZodType>(callbackId: C, values: V) =>
  z.looseObject({
    id: Printable(64),
    app_installed_team_id: SlackId.nullish(),
    callback_id: z.literal(callbackId),
    private_metadata: Metadata.optional(),
    state: z.looseObject({ values }),
  });

const ViewSubmission = z.looseObject({
  event: absent,
  command: absent,
  name: absent,
  actions: absent,
  function_data: absent,
  bot_access_token: absent,
  type: z.literal("view_submission"),
  is_enterprise_install: EnterpriseFlag,
  enterprise: Enterprise,
  user: Person,
  team: Team.optional(),
  response_urls: z
    .array(z.looseObject({ response_url: HttpUrl }))
    .max(10)
    .optional(),
  view: z.discriminatedUnion("callback_id", [
    view(ADD_CALLBACK, AddValues),
    view(ROTATE_CALLBACK, RotateValues),
  ]),
});

const EventCallback = z.looseObject({
  type: z.literal("event_callback"),
  team_id: SlackId,
  enterprise_id: SlackId.optional(),
  is_enterprise_install: EnterpriseFlag,
  authorizations: z
    .array(
      z.looseObject({
        team_id: SlackId.nullish(),
        enterprise_id: SlackId.nullish(),
        user_id: SlackId.optional(),
        is_enterprise_install: z.boolean().optional(),
      }),
    )
    .max(10)
    .optional(),
  event: z.looseObject({
    type: z.literal("app_home_opened"),
    user: SlackId,
    tab: z.string().max(32).optional(),
    channel: SlackId.optional(),
    channel_id: absent,
    item: absent,
    subteam: absent,
  }),
});

// Slack checks the events URL with a signed challenge; Bolt answers it.
const UrlVerification = z.looseObject({
  event: absent,
  command: absent,
  name: absent,
  actions: absent,
  type: z.literal("url_verification"),
  challenge: Printable(512),
});

const SlackPayload = z.union([SlashCommand, BlockActions, ViewSubmission, EventCallback, UrlVerification]);

export type PayloadCheck = { ok: true } | { ok: false; reason: string };

/** What kind of delivery this claims to be, as a short code for logs (never a value from the body). */
function kindOf(body: unknown): string {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return "not-an-object";
  const b = body as { type?: unknown; command?: unknown };
  if (typeof b.command === "string") return "command";
  const known = ["block_actions", "view_submission", "event_callback", "url_verification"];
  return typeof b.type === "string" && known.includes(b.type) ? b.type : "unknown-type";
}

/** Checks a parsed body against everything the bot accepts. The reason is a short code, safe to log. */
export function checkPayload(body: unknown): PayloadCheck {
  const kind = kindOf(body);
  if (kind === "not-an-object" || kind === "unknown-type") return { ok: false, reason: kind };
  const parsed = SlackPayload.safeParse(body);
  return parsed.success ? { ok: true } : { ok: false, reason: `${kind}-fields` };
}

/**
 * The body as Bolt will read it (a form whose `payload` field is JSON, a plain form for a slash command, or JSON
 * for an event), so what is checked is what the listeners get. Throws on malformed JSON.
 */
export function parseSlackBody(text: string, contentType: string | undefined): unknown {
  if (contentType === "application/x-www-form-urlencoded") {
    const form = parseQuery(text);
    return typeof form.payload === "string" ? (JSON.parse(form.payload) as unknown) : { ...form };
  }
  return JSON.parse(text) as unknown;
}

/** The person a body claims to come from, for the audit row of a refused but authentic delivery. */
export function claimedActor(body: unknown): {
  teamId: string | undefined;
  enterpriseId: undefined;
  userId: string;
} {
  const b = (body !== null && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const user = (b.user !== null && typeof b.user === "object" ? b.user : {}) as Record<string, unknown>;
  const team = (b.team !== null && typeof b.team === "object" ? b.team : {}) as Record<string, unknown>;
  const id = (v: unknown) => (typeof v === "string" && SlackId.safeParse(v).success ? v : undefined);
  return {
    teamId: id(b.team_id) ?? id(team.id) ?? id(user.team_id),
    enterpriseId: undefined,
    userId: id(b.user_id) ?? id(user.id) ?? "",
  };
}
