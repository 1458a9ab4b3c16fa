// Vendored from packages/core/src/usage-sync/findings/describe.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { formatUsd } from "../../usage/money.ts";
import type { Finding, FindingKey } from "./kinds.ts";

// One sentence per finding, in no front's words (no command, no flag): what happened and what it means. Fronts may
// print it as is, or build their own from the fields.

const label = (k: FindingKey) => (k.name === null ? `(deleted key ${k.id})` : `"${k.profile}/${k.name}"`);
const tokens = (n: number) => n.toLocaleString("en-US");
const minute = (d: Date) => `${d.toISOString().slice(0, 16)}Z`;

export function describeFinding(f: Finding): string {
  switch (f.kind) {
    case "used-after-retired":
      return (
        `Key ${label(f.key)} was ${f.retired} at ${minute(f.retiredAt)}, but Anthropic reports usage on it from ` +
        `${minute(f.firstUsedAt)} to ${minute(f.lastUsedAt)} (${tokens(f.tokens)} tokens, ${formatUsd(f.costUsd)}): ` +
        "someone still holds the old key."
      );
    case "used-outside-gateway":
      return (
        `Key ${label(f.key)} is meant for the gateway only, but Anthropic reports usage on ${f.day} in ` +
        `${f.hours.length} hour(s) when the gateway recorded none (${tokens(f.tokens)} tokens, ` +
        `${formatUsd(f.costUsd)}): it is being used somewhere else.`
      );
    case "unknown-org-key":
      return (
        `Organization key ${f.name === null ? f.orgKeyId : `"${f.name}" (${f.orgKeyId})`}` +
        `${f.hint ? `, ${f.hint},` : ""} is active at Anthropic but not in the store: import it, or deactivate it.`
      );
    case "reported-over-budget":
      return (
        `Key ${label(f.key)} is over its ${formatUsd(f.budgetUsd)} monthly budget by what Anthropic reports: ` +
        `${formatUsd(f.reportedUsd)} in ${f.month} (apikey recorded ${formatUsd(f.recordedUsd)}).`
      );
  }
}
