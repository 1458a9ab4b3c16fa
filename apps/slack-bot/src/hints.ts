import { ERROR_CODES, type ErrorCode, isApikeyError } from "@apikey/core/errors";
import { retryAfterOf } from "./slack-calls.ts";

// The one place that turns an error into what a person reads in Slack. Core's message says what happened (it
// never holds a secret); the hint here says what to do, in Slack words. Core's own hints name CLI commands and
// flags, so they are not shown.

const HINTS: Partial<Record<ErrorCode, string>> = {
  [ERROR_CODES.USAGE]: "Type `/apikey help` for the commands.",
  [ERROR_CODES.KEY_FORMAT]:
    "Paste the whole key into the form: an API key starts with sk-ant-api03- and is 108 characters long.",
  [ERROR_CODES.KEY_EMPTY]: "Paste the key into the form's key field.",
  [ERROR_CODES.KEY_NOT_FOUND]: "`/apikey list` shows the names you can use.",
  [ERROR_CODES.KEY_DUPLICATE]: "That key is already stored; `/apikey list` shows it under its name.",
  [ERROR_CODES.NAME_TAKEN]: "Pick another name, or `/apikey rename` the existing key first.",
  [ERROR_CODES.NAME_INVALID]: "Names use letters, digits, dot, dash and underscore.",
  [ERROR_CODES.KEY_DISABLED]: "`/apikey enable NAME` first.",
  [ERROR_CODES.KEY_READONLY]: "That key comes from the bot's environment and cannot be changed here.",
  [ERROR_CODES.NO_ACTIVE_KEY]: "`/apikey use NAME` picks one.",
  [ERROR_CODES.PROFILE_NOT_FOUND]: "`/apikey list` shows the profiles you can see.",
  [ERROR_CODES.KEY_INVALID]:
    "Anthropic refused the key. Check you copied all of it, or create a new one in the Console.",
  [ERROR_CODES.VALIDATION_FAILED]: "Anthropic could not be reached; try `/apikey validate NAME` later.",
  [ERROR_CODES.ROTATE_SAME_KEY]: "Paste the new key, not the one being replaced.",
  [ERROR_CODES.NO_ADMIN_KEY]: "Add an Admin key to this profile to deactivate old keys from here.",
  [ERROR_CODES.UPSTREAM_FAILED]: "The old key is still active at Anthropic: deactivate it in the Console.",
  [ERROR_CODES.BUDGET_EXCEEDED]: "Raise or clear the budget with `/apikey budget`.",
  [ERROR_CODES.STORE_BUSY]: "Another change is in progress; try again in a moment.",
  [ERROR_CODES.STORE_CORRUPT]:
    "The bot's store is damaged; ask whoever runs the bot to restore it from a backup.",
  [ERROR_CODES.NO_STORE]: "The bot has no store yet; adding the first key creates it.",
  [ERROR_CODES.NOT_A_STORE]:
    "The bot's store path holds something else; ask whoever runs the bot to check APIKEY_HOME.",
  [ERROR_CODES.STORE_UNSAFE]:
    "The bot refused its store because other users can write to it; whoever runs the bot must fix its permissions.",
};

const INTERNAL =
  "Something went wrong on the bot's side. Nothing was changed; the bot's log has the details.";

export interface Rendered {
  text: string;
  code: string;
}

export function renderError(err: unknown): Rendered {
  const after = retryAfterOf(err);
  if (after !== undefined) {
    return {
      code: "E_SLACK_RATE_LIMITED",
      text: `Slack asked the bot to slow down, so nothing was done. Try again in ${Math.max(1, Math.ceil(after))} seconds.`,
    };
  }
  if (isApikeyError(err)) {
    const hint = HINTS[err.code];
    return { code: err.code, text: hint ? `${err.message}\n${hint}` : err.message };
  }
  return { code: ERROR_CODES.INTERNAL, text: INTERNAL };
}

export const REFUSALS = {
  keyInText:
    "That message held something shaped like an Anthropic key, so it was refused: nothing was stored or posted. " +
    "Slack keeps what is typed into a command, so treat that key as exposed: rotate it (`/apikey rotate NAME` " +
    "opens a form) and deactivate the old one. Keys only go into the field of the add or rotate form.",
  workspace:
    "This workspace is not allowed to use this bot. Ask whoever runs it to add it to the bot's config.",
  notAllowed: (profile: string, access: "view" | "operate") =>
    `You are not allowed to ${access === "view" ? "see" : "change"} profile *${profile}*. ` +
    "Ask whoever runs the bot to add you to its config.",
  noAccess:
    "You have no access to any profile here, so there is nothing you may see or change. " +
    "Ask whoever runs the bot to add you to its config.",
  notWired: "This command is not available yet.",
} as const;
