import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { startsLikeKey } from "../scan/loose-keys.ts";
import { GATEWAY_TOKEN_PREFIX } from "../tokens/hash.ts";

// Names end up in shell commands, Slack messages and file names: keep them plain.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkName(name: string, what: "key" | "profile" | "slot" | "token"): string {
  if (startsLikeKey(name)) {
    // Someone pasted a key where a name goes; argv is visible to other processes, so say so.
    throw new ApikeyError(
      ERROR_CODES.NAME_INVALID,
      `That ${what} name looks like a key. Never pass keys as arguments.`,
      {
        hint: "Give a name, then paste the key at the prompt or pipe it on stdin. Consider rotating the exposed key.",
      },
    );
  }
  checkNameShape(name, what);
  if (what === "key" && name === "env") {
    throw new ApikeyError(
      ERROR_CODES.NAME_INVALID,
      `"env" is reserved for the ANTHROPIC_API_KEY environment key.`,
      {
        hint: "Pick another name.",
      },
    );
  }
  return name;
}

/** The length of the longest name the rule allows. */
export const MAX_NAME_LENGTH = 64;

/**
 * The name rule without the reservations: for a name that looks something up, so a bad one is refused (E_NAME_INVALID)
 * instead of being echoed in a "not found" message. The name is never echoed: it may be a mistyped secret.
 */
export function checkNameShape(name: string, what: "key" | "profile" | "slot" | "token"): string {
  if (!NAME.test(name)) {
    throw new ApikeyError(ERROR_CODES.NAME_INVALID, `That is not a valid ${what} name.`, {
      hint: "Use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    });
  }
  // A gateway token fits the name rule; one pasted where a name goes must not be echoed or stored as a name.
  if (name.startsWith(GATEWAY_TOKEN_PREFIX)) {
    throw new ApikeyError(ERROR_CODES.NAME_INVALID, `That ${what} name looks like a gateway token.`, {
      hint: "Give a name, never a token. Consider rotating the exposed token.",
    });
  }
  return name;
}

export const isValidNameShape = (name: string): boolean => NAME.test(name);

/**
 * `base-n`, with `base` shortened so the result still fits the name rule: how every path that numbers names
 * (imports of several keys, a taken name) makes them. `base` must itself be a valid name.
 */
export function numberedName(base: string, n: number): string {
  const suffix = `-${n}`;
  return `${base.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
}
