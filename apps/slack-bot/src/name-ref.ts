import { checkNameShape, holdsKeyLikeText } from "@apikey/core";
import { z } from "zod";

// A key or profile name as it arrives from Slack (a button's value, a form's private_metadata, a command word):
// accepted only when it fits the core's name rule, so it can be looked up and named back without echoing
// anything else a person or a tampered payload put there.

export function isNameRef(name: string): boolean {
  try {
    checkNameShape(name, "key");
    return !holdsKeyLikeText(name);
  } catch {
    return false;
  }
}

export const NameRef = z.string().max(64).refine(isNameRef);
