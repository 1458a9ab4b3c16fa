import { describeKekProvider, KEYFILE_WARNING } from "@apikey/core";
import { dueForRotation } from "@apikey/core/rotation";
import type { Command } from "commander";
import { table } from "../io/output.ts";
import type { Action } from "../program.ts";

export function registerStatusCommands(program: Command, action: Action): void {
  program
    .command("status")
    .description("where the store is, how it is protected, and which keys are active")
    .action(
      action(async (ctx) => {
        const s = await (await ctx.vault()).status();
        const due = await dueForRotation(await ctx.vault());
        const kek = s.kekProvider ? describeKekProvider(s.kekProvider, ctx.config.dataDir) : null;
        const warnings = s.kekProvider === "keyfile" ? [KEYFILE_WARNING] : [];
        const rotation = { rotationDue: due.keys.length > 0, rotationDueKeys: due.keys };
        ctx.out.result({ ...s, kekDescription: kek, warnings, ...rotation }, () => {
          const lines = [
            `store:      ${s.location}`,
            `protection: ${kek ?? "not set yet (chosen when the first key is added)"}`,
            `keys:       ${s.keyCount}`,
            ...(rotation.rotationDue
              ? [
                  `rotation:   due for ${due.keys.join(", ")} (older than ${due.maxAgeDays} days; apikey rotate NAME)`,
                ]
              : []),
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
    .option("-n, --limit <n>", "how many entries", "50")
    .action(
      action(async (ctx, opts: { limit: string }) => {
        const limit = Number.parseInt(opts.limit, 10);
        const entries = await (await ctx.vault()).audit({
          limit: Number.isFinite(limit) && limit > 0 ? limit : 50,
        });
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
