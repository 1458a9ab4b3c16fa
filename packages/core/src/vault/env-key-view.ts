import { maskKey, recogniseKey } from "../key-format.ts";
import type { KeyView } from "./views.ts";

/** The environment's ANTHROPIC_API_KEY as a read-only row of the listing: never stored, shown so the person sees it. */
export function envKeyView(secret: string): KeyView {
  let kind: KeyView["kind"] = "api";
  try {
    kind = recogniseKey(secret).kind;
  } catch {
    // Listed anyway, so the person sees it is set; `add --from-env` will explain what is wrong with it.
  }
  return {
    id: "env",
    name: "env",
    profile: "(environment)",
    kind,
    source: "env",
    status: "active",
    active: false,
    masked: maskKey(secret.trim()),
    organization: null,
    workspace: null,
    createdAt: new Date(0).toISOString(),
    lastUsedAt: null,
    lastValidatedAt: null,
    validation: null,
    validationMessage: null,
    readOnly: true,
  };
}
