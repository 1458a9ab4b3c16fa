import type { RekeyInput } from "@apikey/core";
import {
  type DeactivationOutcome,
  KEK_PROVIDERS,
  type KekProviderName,
  parseGrace,
  type RotateResult,
  recogniseKey,
} from "@apikey/core";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import type { Context } from "../context.ts";
import { EXIT, UsageError } from "../io/errors.ts";
import { askHidden, askNewPassphrase, readNewSecret, readSecret } from "../io/secret-input.ts";

interface RotateOptions {
  grace: string;
  validate: boolean;
  finish?: boolean;
  maxAgeDays?: string;
}

export function registerRotateCommands(program: Command, action: Action): void {
  program
    .command("rotate [name]")
    .description(
      "replace a key with a new one (new key from a hidden prompt or stdin); the old one is deactivated upstream " +
        "when the profile holds an Admin key",
    )
    .option("--grace <duration>", "how long the old key keeps working upstream: 0, 90s, 15m, 2h, 1d", "15m")
    .option("--no-validate", "do not check the new key against the Anthropic API first")
    .option("--finish", "retry the upstream deactivations that are due (of NAME, or of the whole profile)")
    .option("--max-age-days <days>", "flag keys older than this as due for rotation (0 = never); default 90")
    .action(
      action(async (ctx, name: string | undefined, opts: RotateOptions) => {
        if (opts.maxAgeDays !== undefined) {
          if (name !== undefined || opts.finish) {
            throw new UsageError("--max-age-days is a setting of its own; give it without a key name.");
          }
          const days = /^\d+$/.test(opts.maxAgeDays) ? Number(opts.maxAgeDays) : Number.NaN;
          const changed = await (await ctx.app()).settings.setMaxAgeDays(days);
          ctx.out.result({ maxAgeDays: changed.to }, () =>
            changed.to === 0
              ? "Keys will no longer be flagged for rotation."
              : `Keys older than ${changed.to} days are now flagged as due for rotation.`,
          );
          return;
        }
        if (opts.finish) return finish(ctx, name);
        if (name === undefined) {
          throw new UsageError(
            "Which key?",
            "apikey rotate NAME (then paste the new key), or apikey rotate --finish.",
          );
        }
        const graceMs = parseGrace(opts.grace);
        // The new key is checked before the store is opened, so a bad paste leaves no trace.
        const { secret } = recogniseKey(await readSecret(`New Anthropic key for "${name}"`));
        const result = await (await ctx.app()).keys.rotate({
          name,
          profile: ctx.profile,
          newSecret: secret,
          graceMs,
          validate: opts.validate,
        });
        ctx.out.result(result, () => rotatedText(ctx, result));
      }),
    );

  program
    .command("rekey")
    .description("move the store to another master key (re-wraps the data key; keys are not re-encrypted)")
    .option(
      "--to <provider>",
      `env | passphrase | keychain | keyfile (default: a new passphrase or master key for the current one)`,
    )
    .action(
      action(async (ctx, opts: { to?: string }) => {
        const app = await ctx.app();
        const from = (await app.status()).kekProvider ?? undefined;
        const to = pickProvider(opts.to, from);
        const input = await newKekInput(ctx, to, from);
        const result = await app.rekey(input);
        ctx.out.result(result, () => {
          const lines = [`The store's master key moved from ${result.from} to ${result.to}.`];
          if (result.to === "env") {
            lines.push(
              "From now on APIKEY_MASTER_KEY must hold the new master key wherever this store is used.",
            );
          }
          if (result.to === "passphrase" && result.from !== "passphrase") {
            lines.push(
              "Unset APIKEY_PASSPHRASE where it held something else; apikey asks when it is not set.",
            );
          }
          for (const left of result.leftovers) lines.push(`Could not remove ${left}; delete it by hand.`);
          return lines.join("\n");
        });
      }),
    );
}

async function finish(ctx: Context, name: string | undefined): Promise<number> {
  const outcomes = await (await ctx.app()).keys.finishDeactivations({
    profile: ctx.profile,
    ...(name !== undefined && { name }),
  });
  ctx.out.result({ deactivations: outcomes }, () =>
    outcomes.length === 0
      ? `No upstream deactivation is due${name ? ` for ${name}` : ""}.`
      : outcomes.map(outcomeLine).join("\n"),
  );
  return outcomes.every((o) => o.state === "done") ? EXIT.OK : EXIT.FAILURE;
}

function outcomeLine(o: DeactivationOutcome): string {
  const who = o.keyName ?? o.keyId;
  if (o.state === "done")
    return `✓ old ${who} deactivated upstream${o.upstreamId ? ` (${o.upstreamId})` : ""}.`;
  const next = o.state === "pending" ? "will be retried by `apikey rotate --finish`" : "needs you";
  return `! old ${who} not deactivated (${next}): ${o.error}`;
}

function rotatedText(ctx: Context, r: RotateResult): string {
  const flag = ctx.profile === "default" ? "" : ` --profile ${ctx.profile}`;
  const lines = r.changed
    ? [`Rotated ${r.new.name}: ${r.new.masked} replaces ${r.old.masked}, which is now rotated.`]
    : [`${r.new.name} already holds this key (rotated from ${r.old.masked}); nothing changed.`];
  if (r.changed && r.new.active) lines.push(`It is the active key of profile ${r.new.profile}.`);
  const d = r.deactivation;
  if (d.outcome) lines.push(outcomeLine(d.outcome));
  if (d.outcome?.state !== "done") {
    if (d.plan === "pending" && d.outcome) {
      lines.push(`Retry with: apikey${flag} rotate --finish ${r.new.name}`);
    } else if (d.plan === "pending") {
      lines.push(
        `The old key keeps working upstream until ${d.dueAt}; then run: apikey${flag} rotate --finish ${r.new.name}`,
      );
    } else if (d.plan === "manual") {
      lines.push(`Deactivate the old key (${r.old.masked}) in the Anthropic Console: ${d.reason}`);
    } else if (r.changed) {
      lines.push(
        `Deactivate the old key (${r.old.masked}) in the Anthropic Console when nothing uses it any more.`,
      );
    }
  }
  return lines.join("\n");
}

function pickProvider(to: string | undefined, from: KekProviderName | undefined): KekProviderName {
  if (to === undefined) {
    if (from === "passphrase" || from === "env") return from;
    throw new UsageError(
      "Which master key should the store move to?",
      `Pass --to ${KEK_PROVIDERS.join("|")}.`,
    );
  }
  if (!(KEK_PROVIDERS as readonly string[]).includes(to)) {
    throw new UsageError(`Unknown master-key provider "${to}".`, `Use one of: ${KEK_PROVIDERS.join(", ")}.`);
  }
  return to as KekProviderName;
}

/**
 * The new passphrase or master key, when the environment does not already hold it: asked on a terminal (a passphrase
 * twice), else read from stdin. Never from argv, and no new environment variable.
 */
async function newKekInput(
  ctx: Context,
  to: KekProviderName,
  from: KekProviderName | undefined,
): Promise<RekeyInput> {
  const { config } = ctx;
  // APIKEY_PASSPHRASE / APIKEY_MASTER_KEY hold the new one unless they hold the current one (moving to the same kind).
  const viaEnv = (name: string, kind: KekProviderName) => (from === kind ? "" : `set ${name} to it, `);
  if (to === "passphrase" && (from === "passphrase" || !config.passphrase)) {
    const newPassphrase = await readNewSecret(askNewPassphrase, {
      what: "new passphrase",
      hint: `Give one: ${viaEnv("APIKEY_PASSPHRASE", "passphrase")}run \`apikey rekey --to passphrase\` on a terminal, or pipe it: printf %s "$NEW_PASSPHRASE" | apikey rekey --to passphrase`,
    });
    return { to, newPassphrase };
  }
  if (to === "env" && (from === "env" || !config.masterKey)) {
    const newMasterKey = (
      await readNewSecret(() => askHidden("New master key (base64 of 32 bytes)"), {
        what: "new master key",
        hint: `Give one: ${viaEnv("APIKEY_MASTER_KEY", "env")}run \`apikey rekey --to env\` on a terminal, or pipe it: printf %s "$NEW_MASTER_KEY" | apikey rekey --to env`,
      })
    ).trim();
    return { to, newMasterKey };
  }
  return { to };
}
