// `/apikey …` text to a command. Pure: shape and arity only. Whether a name, a profile or an amount is acceptable
// is core's rule, checked when the command runs, so every front agrees.

import { usdOrNull } from "@apikey/core";

export type UsageWindow = "7d" | "30d";
export type UsageBy = "day" | "model" | "key" | "token";

export type Command =
  | { kind: "help" }
  | { kind: "list"; profile: string | undefined }
  | { kind: "status" }
  | { kind: "use"; name: string; profile: string | undefined }
  | { kind: "add"; profile: string | undefined }
  | { kind: "rotate"; name: string }
  | { kind: "validate"; name: string }
  | { kind: "disable"; name: string }
  | { kind: "enable"; name: string }
  | { kind: "rename"; name: string; newName: string }
  | { kind: "delete"; name: string }
  | { kind: "budget-set"; name: string; usd: number; block: boolean }
  | { kind: "budget-clear"; name: string }
  | { kind: "usage"; window: UsageWindow; by: UsageBy; key: string | undefined }
  | { kind: "audit"; limit: number };

export type ParseResult = { ok: true; command: Command } | { ok: false; message: string };

/** Longer text is refused unread: no command needs it, and it keeps what we log and echo small. */
export const MAX_TEXT = 200;
export const MAX_AUDIT = 500;

const fail = (message: string): ParseResult => ({ ok: false, message });
const ok = (command: Command): ParseResult => ({ ok: true, command });

// What we quote back of a person's input: only a short plain word (no markup Slack would turn into a mention, no
// look-alike or invisible characters); anything else is not quoted at all.
const quote = (word: string) => (/^[A-Za-z0-9._-]{1,24}$/.test(word) ? ` \`${word}\`` : "");

export function parseCommand(text: string): ParseResult {
  if (text.length > MAX_TEXT) return fail(`That is too long for a command (over ${MAX_TEXT} characters).`);
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [sub, ...rest] = words;
  if (sub === undefined) return ok({ kind: "help" });
  const usage = (form: string) => fail(`Usage: \`/apikey ${form}\``);
  const arity = (min: number, max: number) => rest.length >= min && rest.length <= max;

  switch (sub.toLowerCase()) {
    case "help":
      return ok({ kind: "help" });
    case "list":
    case "ls":
      return arity(0, 1) ? ok({ kind: "list", profile: rest[0] }) : usage("list [profile]");
    case "status":
      return arity(0, 0) ? ok({ kind: "status" }) : usage("status");
    case "use":
    case "switch":
      return arity(1, 2)
        ? ok({ kind: "use", name: rest[0] as string, profile: rest[1] })
        : usage("use NAME [profile]");
    case "add":
      // `add NAME KEY` is how the CLI reads; here the key goes into the modal, so extra words are refused.
      return arity(0, 1)
        ? ok({ kind: "add", profile: rest[0] })
        : usage("add [profile]   (the key goes in the form)");
    case "rotate":
      return arity(1, 1) ? ok({ kind: "rotate", name: rest[0] as string }) : usage("rotate NAME");
    case "validate":
    case "disable":
    case "enable":
    case "delete": {
      const kind = sub.toLowerCase() as "validate" | "disable" | "enable" | "delete";
      return arity(1, 1) ? ok({ kind, name: rest[0] as string }) : usage(`${kind} NAME`);
    }
    case "rename":
      return arity(2, 2)
        ? ok({ kind: "rename", name: rest[0] as string, newName: rest[1] as string })
        : usage("rename NAME NEW");
    case "budget":
      return parseBudget(rest);
    case "usage":
      return parseUsage(rest);
    case "audit": {
      if (!arity(0, 1)) return usage("audit [N]");
      if (rest[0] === undefined) return ok({ kind: "audit", limit: 10 });
      const n = /^\d{1,3}$/.test(rest[0]) ? Number(rest[0]) : Number.NaN;
      if (!(n >= 1 && n <= MAX_AUDIT)) return fail(`N must be a whole number from 1 to ${MAX_AUDIT}.`);
      return ok({ kind: "audit", limit: n });
    }
    default:
      return fail(`Unknown subcommand${quote(sub)}. Type \`/apikey help\` for the list.`);
  }
}

function parseBudget(rest: string[]): ParseResult {
  const [action, name, amount, flag, ...extra] = rest;
  if (action === "set" && name && amount && extra.length === 0 && (flag === undefined || flag === "block")) {
    // Core's one money parser, so an amount means the same here as in the CLI and every other front.
    const usd = usdOrNull(amount);
    if (usd === null) return fail("USD must be an amount like `50` or `12.50`.");
    return ok({ kind: "budget-set", name, usd, block: flag === "block" });
  }
  if (action === "clear" && name && amount === undefined) return ok({ kind: "budget-clear", name });
  return fail("Usage: `/apikey budget set NAME USD [block]` or `/apikey budget clear NAME`");
}

function parseUsage(rest: string[]): ParseResult {
  let window: UsageWindow = "7d";
  let by: UsageBy = "day";
  let key: string | undefined;
  const usage = fail("Usage: `/apikey usage [7d|30d] [by day|model|key|token] [key NAME]`");
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]?.toLowerCase();
    if (w === "7d" || w === "30d") window = w;
    else if (w === "by") {
      const v = rest[++i]?.toLowerCase();
      if (v !== "day" && v !== "model" && v !== "key" && v !== "token") return usage;
      by = v;
    } else if (w === "key") {
      key = rest[++i];
      if (key === undefined) return usage;
    } else return usage;
  }
  return ok({ kind: "usage", window, by, key });
}
