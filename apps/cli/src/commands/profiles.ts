import type { Command } from "commander";
import type { Action } from "../action.ts";
import { checkProfileArgument } from "../io/arguments.ts";
import { table } from "../io/output.ts";

export function registerProfileCommands(program: Command, action: Action): void {
  const profile = program.command("profile").description("named sets of keys (dev, staging, prod, a team…)");

  profile
    .command("create <name>")
    .description("create a profile")
    .action(
      action(async (ctx, name: string) => {
        await (await ctx.app()).profiles.create(name);
        ctx.out.result(
          { profile: name },
          () => `Created profile ${name}. Add keys with: apikey --profile ${name} add NAME`,
        );
      }),
    );

  profile
    .command("list")
    .alias("ls")
    .description("list profiles and their active keys")
    .action(
      action(async (ctx) => {
        const profiles = await (await ctx.app()).profiles.list();
        ctx.out.result(profiles, () =>
          profiles.length === 0
            ? "No profiles yet; `default` is created with the first key."
            : table(
                ["PROFILE", "ACTIVE KEY", "KEYS"],
                profiles.map((p) => [p.name, p.activeKey ?? "-", String(p.keyCount)]),
              ),
        );
      }),
    );

  profile
    .command("delete <name>")
    .alias("rm")
    .description("delete an empty profile")
    .action(
      action(async (ctx, name: string) => {
        checkProfileArgument(name);
        await (await ctx.app()).profiles.delete(name);
        ctx.out.result({ profile: name }, () => `Deleted profile ${name}.`);
      }),
    );
}
