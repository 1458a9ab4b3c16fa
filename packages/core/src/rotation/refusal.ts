import type { KeyKind } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// Which keys a rotation refuses before anything else, and why — one rule, used by the rotation itself (rotate.ts)
// and by the list every front shows (views/key-list.ts), so a front neither offers nor computes it.

/** A federated key holds no secret: its tokens are minted minutes at a time, so there is nothing to rotate. */
export function nothingToRotate(name: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.FEDERATED_KEY, `Key "${name}" is federated — nothing to rotate.`, {
    hint: "Its tokens are short-lived and minted on use. To change its rule or identity token, delete it and add it again.",
    details: { key: name, reason: "nothing_to_rotate" },
  });
}

/** The error rotating this key would end in, or null when it may be rotated. */
export function rotationRefusal(key: { name: string; kind: KeyKind }): ApikeyError | null {
  return key.kind === "federated" ? nothingToRotate(key.name) : null;
}
