// A key typed where no key belongs (the command line, a name field) is already in Slack's records. We refuse the
// request before anything else looks at it: nothing stored, nothing echoed, and the person is told to rotate.
// Deliberately looser than core's recogniseKey: a truncated or mistyped key is still a leak.

const KEY_SHAPED = /sk-ant-[A-Za-z0-9_-]{8,}/i;

export function containsKeyShaped(text: string | undefined | null): boolean {
  return typeof text === "string" && KEY_SHAPED.test(text);
}

/** Any string anywhere in a plain value (modal state values, payload fields). */
export function anyKeyShaped(value: unknown, depth = 0): boolean {
  if (depth > 12) return false;
  if (typeof value === "string") return containsKeyShaped(value);
  if (Array.isArray(value)) return value.some((v) => anyKeyShaped(v, depth + 1));
  if (value && typeof value === "object") return Object.values(value).some((v) => anyKeyShaped(v, depth + 1));
  return false;
}
