import { type Apikey, describeKekProvider, tightenKeyFile } from "@apikey/core";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import { UsageError } from "../io/errors.ts";
import { table } from "../io/output.ts";
import { protectionHint } from "../protection/choices.ts";
import { findingsSummary } from "./usage-check.ts";

export function registerStatusCommands(program: Command, action: Action): void {
  program
    .command("status")
    .description("where the store is, how it is protected, and which keys are active")
    .action(
      action(async (ctx) => {
        const app = await ctx.app();
        const s = await app.status();
        const due = await app.keys.dueForRotation();
        const checked = await app.usage.findings();
        const findings = findingsSummary(checked);
        const kek = s.kekProvider ? describeKekProvider(s.kekProvider, ctx.config.dataDir) : null;
        const warnings = storeWarnings(s, ctx.config.dataDir);
        const rotation = { rotationDue: due.keys.length > 0, rotationDueKeys: due.keys };
        const usage = {
          findings: checked.counts,
          usageLastSyncAt: checked.lastSyncAt?.toISOString() ?? null,
          usageSyncDue: checked.syncDue,
        };
        ctx.out.result({ ...s, kekDescription: kek, warnings, ...rotation, ...usage }, () => {
          const lines = [
            `store:      ${s.location}`,
            `protection: ${kek ?? "not set yet (chosen when the first key is added)"}`,
            `keys:       ${s.keyCount}`,
            ...(rotation.rotationDue
              ? [
                  `rotation:   due for ${due.keys.join(", ")} (older than ${due.maxAgeDays} days; apikey rotate NAME)`,
                ]
              : []),
            ...(findings ? [`findings:   ${findings}`] : []),
            `env key:    ${s.envKeyPresent ? "ANTHROPIC_API_KEY is set (listed as read-only `env`)" : "ANTHROPIC_API_KEY not set"}`,
          ];
          if (s.profiles.length > 0) {
            lines.push(
              "",
              table(
                ["PROFILE", "ACTIVE KEY", "KEYS"],
                s.profiles.map((p) => [p.name, p.activeKey ?? "-", String(p.keyCount)]),
              ),
            );
          } else {
            lines.push("", "No keys yet. Add one with: apikey add NAME   (paste the key when asked)");
          }
          for (const w of warnings) lines.push("", `warning: ${w}`);
          return lines.join("\n");
        });
      }),
    );

  program
    .command("audit")
    .description("the audit log of every change, newest first")
    .option("-n, --limit <n>", `how many entries (1–${MAX_AUDIT_LIMIT})`, "50")
    .action(
      action(async (ctx, opts: { limit: string }) => {
        const limit = parseLimit(opts.limit);
        const entries = await (await ctx.app()).audit({ limit });
        const rows = entries.map((e) => ({ ...e, at: e.at.toISOString() }));
        ctx.out.result(rows, () =>
          rows.length === 0
            ? "The audit log is empty."
            : table(
                ["TIME", "ACTOR", "ACTION", "PROFILE", "DETAILS"],
                rows.map((e) => [e.at, e.actor, e.action, e.profile ?? "", JSON.stringify(e.details)]),
              ),
        );
      }),
    );
}

/** What `status` warns about: a damaged store, a weak protection, a key file someone loosened (set back here). */
function storeWarnings(s: Awaited<ReturnType<Apikey["status"]>>, dataDir: string): string[] {
  // The protection is a fact on its own line; only a weak one adds a hint, of one line.
  const hint = protectionHint(s.kekProvider);
  const warnings = hint ? [hint] : [];
  if (s.damage === "no_slots") {
    warnings.unshift(
      "The store is damaged: none of its master-key slots can unlock it, so its keys cannot be used. Restore it from a backup or an export bundle; do not add keys to it.",
    );
  }
  // Someone loosened the key file: put it back, and say so, since whoever read it can decrypt the store.
  const loosened = s.kekProvider === "keyfile" ? tightenKeyFile(dataDir) : null;
  if (loosened !== null) {
    warnings.push(
      `The key file was readable by others (mode ${loosened.toString(8).padStart(4, "0")}); apikey set it back to 0600. ` +
        "Anyone who read it can decrypt a copy of the store: consider moving to a new key (apikey rekey).",
    );
  }
  return warnings;
}

const MAX_AUDIT_LIMIT = 100_000;

/** A whole number of entries from 1 to MAX_AUDIT_LIMIT; anything else is a usage error, never silently "all". */
function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d{1,6}$/.test(value) || n < 1 || n > MAX_AUDIT_LIMIT) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_AUDIT_LIMIT}.`);
  }
  return n;
}
