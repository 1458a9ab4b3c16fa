import { holdsKeyLikeText } from "@apikey/core";

// A key typed where no key belongs (the command line, a name field) is already in Slack's records. We refuse the
// request before anything else looks at it: nothing stored, nothing echoed, and the person is told to rotate.
// The rule is core's loose finder: it normalises first (NFKC, zero-width characters and spaces removed, dashes and
// look-alike letters folded), and counts a truncated or mistyped key as a leak too.

export function containsKeyShaped(text: string | undefined | null): boolean {
  return typeof text === "string" && holdsKeyLikeText(text);
}

/** Any string anywhere in a plain value (modal state values, payload fields). */
export function anyKeyShaped(value: unknown, depth = 0): boolean {
  if (depth > 12) return false;
  if (typeof value === "string") return containsKeyShaped(value);
  if (Array.isArray(value)) return value.some((v) => anyKeyShaped(v, depth + 1));
  if (value && typeof value === "object") return Object.values(value).some((v) => anyKeyShaped(v, depth + 1));
  return false;
}
