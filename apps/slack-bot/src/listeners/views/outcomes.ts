import type { RotateResult, ValidationResult } from "@apikey/core";
import { bold } from "../../render/blocks.ts";

// What the person reads after submitting a form. Plain sentences; masked keys only.

export function addedLines(
  name: string,
  profile: string,
  masked: string,
  v: ValidationResult | null,
): string[] {
  const head = `Added ${bold(name)} (\`${masked}\`) to ${bold(profile)}.`;
  if (!v) return [head, "It was not checked with Anthropic."];
  if (v.outcome === "valid") return [head, ":white_check_mark: Anthropic accepted it."];
  if (v.outcome === "unverified")
    return [
      head,
      `:warning: Could not verify it with Anthropic, so it is stored flagged. ${v.message}`,
      "`/apikey validate NAME` tries again.",
    ];
  return [head, `:warning: ${v.message}`];
}

export function rotatedLines(r: RotateResult): string[] {
  const lines = [
    r.changed
      ? `Rotated ${bold(r.new.name)} in ${bold(r.new.profile)}: \`${r.new.masked}\` replaces \`${r.old.masked}\`.`
      : `${bold(r.new.name)} already uses \`${r.new.masked}\`: nothing changed.`,
  ];
  if (r.validation && r.validation.outcome !== "valid") lines.push(`:warning: ${r.validation.message}`);
  lines.push(upstreamLine(r));
  return lines;
}

export function upstreamLine(r: RotateResult): string {
  const d = r.deactivation;
  if (d.outcome?.state === "done") return ":lock: The old key is deactivated at Anthropic.";
  if (d.outcome)
    return `:x: Deactivating the old key at Anthropic failed: ${d.outcome.error ?? "unknown reason"}. It still works there: deactivate it in the Anthropic Console.`;
  if (d.plan === "pending")
    return `:hourglass: The old key keeps working until ${d.dueAt?.slice(0, 16).replace("T", " ")} UTC, then the bot deactivates it at Anthropic.`;
  if (d.plan === "manual")
    return ":warning: The old key still works at Anthropic: deactivate it in the Anthropic Console (this profile has no Admin key).";
  if (r.changed && r.old.kind === "api")
    return ":information_source: The old key stays active at Anthropic, as asked: deactivate it in the Anthropic Console when nothing uses it.";
  return "Nothing to do at Anthropic.";
}
