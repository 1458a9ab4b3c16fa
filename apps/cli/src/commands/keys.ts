import type { MonthSpendFields } from "@apikey/core";
import {
  type AddKeyResult,
  formatUsd,
  type KeyView,
  recogniseKey,
  type ValidationResult,
} from "@apikey/core";
import { ERROR_CODES, isApikeyError } from "@apikey/core/errors";
import { storeExistsAt } from "@apikey/storage/from-env";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import type { Context } from "../context.ts";
import { checkKeyNameArgument } from "../io/arguments.ts";
import { EXIT, UsageError } from "../io/errors.ts";
import { ago, type Output, table } from "../io/output.ts";
import { confirm, readSecret } from "../io/secret-input.ts";
import { addFederated, checkFederatedFlags, type FederatedFlags, federatedOptions } from "./add-federated.ts";
import { useWithSdkProfile } from "./use-sdk-profile.ts";

export function registerKeyCommands(program: Command, action: Action): void {
  federatedOptions(
    program
      .command("add <name>")
      .description("store a key: from a hidden prompt, or from stdin when piped (never from arguments)")
      .option("--no-validate", "store without checking the key against the Anthropic API")
      .option("--from-env", "import the key in ANTHROPIC_API_KEY"),
  ).action(
    action(async (ctx, name: string, opts: FederatedFlags & { validate: boolean; fromEnv?: boolean }) => {
      checkKeyNameArgument(name);
      checkFederatedFlags(opts);
      if (opts.federated) {
        announceCheck(ctx, opts.validate);
        return reportAdded(ctx, await addFederated(ctx, name, opts));
      }
      const input = { profile: ctx.profile, validate: opts.validate };
      if (opts.fromEnv) {
        const app = await ctx.app();
        announceCheck(ctx, opts.validate);
        return reportAdded(ctx, await app.keys.addFromEnv(name, input));
      }
      // An existing store is unlocked first, so a wrong master key or passphrase fails before the key is pasted.
      await unlockIfStored(ctx);
      // Check the input before a new store is made, so a bad paste leaves no trace.
      const { secret } = recogniseKey(await readSecret(`Anthropic key for "${name}"`));
      const app = await ctx.app();
      announceCheck(ctx, opts.validate);
      return reportAdded(ctx, await app.keys.add({ name, secret, ...input }));
    }),
  );

  program
    .command("list")
    .alias("ls")
    .description("list keys (masked)")
    .option("--all-profiles", "list every profile's keys (default: all, unless --profile is given)")
    .action(
      action(async (ctx, _opts, cmd: Command) => {
        const profileGiven = cmd.parent?.getOptionValueSource("profile") !== "default";
        const keys = await (await ctx.app()).keys.list(profileGiven ? { profile: ctx.profile } : {});
        for (const k of keys) if (k.budgetMessage) ctx.out.warn(k.budgetMessage);
        ctx.out.result(keys, () =>
          keys.length === 0 ? "No keys yet. Add one with: apikey add NAME" : keyTable(ctx.out, keys),
        );
      }),
    );

  program
    .command("show <name>")
    .description("show one key's details (masked)")
    .action(
      action(async (ctx, name: string) => {
        checkKeyNameArgument(name);
        const key = await (await ctx.app()).keys.get(name, ctx.profile);
        ctx.out.result(key, () =>
          [
            `name:        ${key.name}${key.active ? "  (active)" : ""}`,
            `profile:     ${key.profile}`,
            `key:         ${key.masked}`,
            `kind:        ${key.kind}`,
            ...(key.organization ? [`organization: ${key.organization}`] : []),
            ...(key.workspace ? [`workspace:   ${key.workspace}`] : []),
            `source:      ${key.source}`,
            `status:      ${key.status}`,
            `created:     ${key.createdAt}`,
            `last used:   ${key.lastUsedAt ?? "never"}`,
            `validation:  ${key.validation ?? "not checked"}${key.lastValidatedAt ? ` (${key.lastValidatedAt})` : ""}`,
            ...(key.validationMessage ? [`             ${key.validationMessage}`] : []),
          ].join("\n"),
        );
      }),
    );

  program
    .command("reveal <name>")
    .description("print a key's secret (audited; asks first on a terminal unless --yes)")
    .option("-y, --yes", "do not ask")
    .action(
      action(async (ctx, name: string, opts: { yes?: boolean }) => {
        checkKeyNameArgument(name);
        const app = await ctx.app();
        const key = await app.keys.get(name, ctx.profile);
        if (
          !opts.yes &&
          process.stdin.isTTY &&
          !(await confirm(`Print the secret of ${key.name} on screen?`))
        ) {
          ctx.out.note("Nothing revealed.");
          return;
        }
        const secret = await app.keys.reveal(name, ctx.profile, "cli reveal");
        process.stdout.write(`${secret}\n`);
      }),
    );

  program
    .command("use <name>")
    .description("make a key the profile's active key")
    .option(
      "--sdk-profile",
      "also point the official SDKs' active_config at the SDK profile the key was imported from",
    )
    .action(
      action(async (ctx, name: string, opts: { sdkProfile?: boolean }) => {
        checkKeyNameArgument(name);
        if (opts.sdkProfile) return useWithSdkProfile(ctx, name);
        const key = await (await ctx.app()).keys.use(name, ctx.profile);
        ctx.out.result({ key }, () => `Profile ${key.profile} now uses ${key.name} (${key.masked}).`);
        if (key.kind === "admin")
          ctx.out.warn(
            `${key.name} is an Admin key: it cannot call the model endpoints, and the gateway refuses to send it upstream.`,
          );
      }),
    );

  program
    .command("rename <name> <new-name>")
    .description("rename a key")
    .action(
      action(async (ctx, name: string, newName: string) => {
        checkKeyNameArgument(name);
        const key = await (await ctx.app()).keys.rename(name, newName, ctx.profile);
        ctx.out.result({ key }, () => `Renamed ${name} to ${key.name}.`);
      }),
    );

  for (const verb of ["disable", "enable"] as const) {
    program
      .command(`${verb} <name>`)
      .description(
        verb === "disable" ? "stop a key from being used (it stays stored)" : "allow a disabled key again",
      )
      .action(
        action(async (ctx, name: string) => {
          checkKeyNameArgument(name);
          const key = await (await ctx.app()).keys[verb](name, ctx.profile);
          ctx.out.result({ key }, () => `${key.name} is now ${key.status}.`);
        }),
      );
  }

  program
    .command("delete <name>")
    .alias("rm")
    .description("delete a key from the store (asks first; --yes for scripts)")
    .option("-y, --yes", "do not ask")
    .action(
      action(async (ctx, name: string, opts: { yes?: boolean }) => {
        checkKeyNameArgument(name);
        const key = await (await ctx.app()).keys.get(name, ctx.profile);
        if (!opts.yes) {
          if (!process.stdin.isTTY) {
            throw new UsageError(
              "Refusing to delete without confirmation.",
              "Pass --yes when running non-interactively.",
            );
          }
          if (!(await confirm(`Delete ${key.name} (${key.masked}) from profile ${key.profile}?`))) {
            ctx.out.note("Nothing deleted.");
            return;
          }
        }
        const deleted = await (await ctx.app()).keys.delete(name, ctx.profile);
        ctx.out.result({ key: deleted }, () => `Deleted ${deleted.name}.`);
      }),
    );

  program
    .command("validate <name>")
    .description("check a stored key against the Anthropic API (spends no tokens)")
    .action(
      action(async (ctx, name: string) => {
        checkKeyNameArgument(name);
        const result = await (await ctx.app()).keys.validate(name, ctx.profile);
        const { key } = result;
        const again = `\`apikey${profileFlag(ctx.profile)} validate ${key.name}\``;
        // An unverified check keeps an earlier definite verdict (core: validate/verdict.ts): say which stands.
        const kept =
          key.validation !== null && key.validation !== "unverified"
            ? ` The last verdict stands: ${key.validation}${key.lastValidatedAt ? ` (${key.lastValidatedAt})` : ""}.`
            : "";
        ctx.out.result(
          result,
          () =>
            `${key.name}: ${validationLine(ctx.out, result.validation, `${kept} Try again later with ${again}.`)}`,
        );
        return validationExit(result.validation);
      }),
    );
}

/** Unlocks the store when there is one (a new store is made by the add itself, with its first key). */
async function unlockIfStored(ctx: Context): Promise<void> {
  if (!(await storeExistsAt(ctx.config.store))) return;
  try {
    await (await ctx.app()).unlock();
  } catch (err) {
    // A file with no store in it yet: the add makes it, as for a missing file.
    if (isApikeyError(err, ERROR_CODES.NO_ACTIVE_KEY) && err.details.reason === "no_store") return;
    throw err;
  }
}

/** On a terminal, say what the wait is for: an unanswering server holds the add until the timeout. */
function announceCheck(ctx: Context, validate: boolean): void {
  if (!validate || ctx.out.json || process.stderr.isTTY !== true) return;
  const seconds = Math.ceil(ctx.config.validateTimeoutMs / 1000);
  ctx.out.note(`Checking the key with Anthropic (gives up after ${seconds} s; --no-validate skips this)…`);
}

/** 0 usable, 1 refused by Anthropic, 3 could not verify. */
function validationExit(v: ValidationResult): number {
  if (v.outcome === "valid" || v.outcome === "rate_limited") return EXIT.OK;
  if (v.outcome === "unverified") return EXIT.UNVERIFIED;
  return EXIT.FAILURE;
}

/** The outcome of a check; `unverified` is the advice after a check that could not reach a verdict. */
function validationLine(out: Output, v: ValidationResult, unverified: string): string {
  const good = v.outcome === "valid" || v.outcome === "rate_limited";
  const mark = good ? out.style("green", "✓") : out.style("yellow", "!");
  return `${mark} ${v.message}${v.outcome === "unverified" ? unverified : ""}`;
}

function keyTable(
  out: Output,
  keys: Array<KeyView & { rotationDue?: boolean } & Partial<MonthSpendFields>>,
): string {
  return table(
    ["", "NAME", "PROFILE", "KIND", "SOURCE", "STATUS", "KEY", "LAST USED", "VALIDATION", "MONTH"],
    keys.map((k) => [
      k.active ? out.style("green", "*") : "",
      k.name,
      k.profile,
      k.kind,
      k.source,
      k.rotationDue ? `${k.status} (rotation due)` : k.status,
      k.masked,
      k.readOnly ? "-" : ago(k.lastUsedAt),
      k.readOnly ? "(read-only: ANTHROPIC_API_KEY)" : (k.validation ?? "not checked"),
      monthSpend(k),
    ]),
  );
}

/** Month-to-date spend, and budget use when there is a budget: `$12.30 / $50.00 (25%)`. */
function monthSpend(k: Partial<MonthSpendFields>): string {
  if (k.spendMonthUsd == null) return "-";
  const spent = formatUsd(k.spendMonthUsd);
  if (k.budgetUsd == null) return spent;
  const pct = k.budgetUsd > 0 ? Math.floor((k.spendMonthUsd / k.budgetUsd) * 100) : 0;
  const flag = k.budgetState === "over" ? " OVER" : k.budgetState === "warn" ? " !" : "";
  return `${spent} / ${formatUsd(k.budgetUsd)} (${pct}%${k.budgetMode === "block" ? ", block" : ""})${flag}`;
}

const profileFlag = (profile: string) => (profile === "default" ? "" : ` --profile ${profile}`);

export function reportAdded(ctx: Context, result: AddKeyResult): void {
  ctx.out.result(result, () => {
    const lines = [`Added ${result.key.name} (${result.key.masked}) to profile ${result.key.profile}.`];
    const later = `\`apikey${profileFlag(ctx.profile)} validate ${result.key.name}\``;
    if (result.validation)
      lines.push(
        validationLine(
          ctx.out,
          result.validation,
          ` The key was stored, marked unverified; check it later with ${later}.`,
        ),
      );
    if (result.key.active) lines.push(`It is the active key of profile ${result.key.profile}.`);
    else if (result.notActivated === "admin_key")
      lines.push(
        `It was not made the active key of profile ${result.key.profile}: an Admin key manages the organization and cannot call the model endpoints, so \`current\`, \`exec\` and the gateway have no use for it (the gateway refuses it). Rotation finds it without it being active. To make it active anyway: apikey${profileFlag(ctx.profile)} use ${result.key.name}`,
      );
    else lines.push(`Make it active with: apikey${profileFlag(ctx.profile)} use ${result.key.name}`);
    return lines.join("\n");
  });
}
