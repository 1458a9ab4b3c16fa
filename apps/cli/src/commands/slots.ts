import { generatedMasterKey, type MasterKeySource, passphraseSource } from "@apikey/core";
import { keychainSource } from "@apikey/keychain";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import type { Context } from "../context.ts";
import { UsageError } from "../io/errors.ts";
import { ago, table } from "../io/output.ts";
import { askNewPassphrase, readNewSecret } from "../io/secret-input.ts";

// Master-key slots: several master keys that each open the same store (the keychain for this CLI, a device key for
// Raycast, APIKEY_MASTER_KEY for a server). The only output that ever holds key material is the one line that
// shows a newly generated master key.

export function registerSlotCommands(program: Command, action: Action): void {
  const slot = program
    .command("slot")
    .description("master keys that open this store (e.g. a device key for the Raycast extension)");

  slot
    .command("list")
    .alias("ls")
    .description("list the store's master-key slots (never their keys)")
    .action(
      action(async (ctx) => {
        const slots = await (await ctx.app()).slots.list();
        ctx.out.result(slots, () =>
          slots.length === 0
            ? "No store yet: its first master key is chosen when you add the first key."
            : table(
                ["SLOT", "KIND", "CREATED", "LAST USED"],
                slots.map((s) => [s.name, s.kind, s.createdAt.slice(0, 10), ago(s.lastUsedAt)]),
              ),
        );
      }),
    );

  slot
    .command("add [name]")
    .description("add a master key: a new random key shown once (default), --passphrase, or --keychain")
    .option("--passphrase", "protect the new slot with a passphrase (asked, or read from stdin)")
    .option("--keychain", "keep the new slot's master key in the OS keychain")
    .action(
      action(async (ctx, name: string | undefined, opts: { passphrase?: boolean; keychain?: boolean }) => {
        if (opts.passphrase && opts.keychain)
          throw new UsageError("Pick one of --passphrase and --keychain.");
        const source = await sourceFor(ctx, opts);
        const result = await (await ctx.app()).slots.add({ source, ...(name !== undefined && { name }) });
        ctx.out.result(result, () =>
          result.masterKey
            ? [
                `Added master-key slot ${result.slot.name}. Its master key (shown once, kept nowhere in clear):`,
                result.masterKey,
                "Paste it where it is needed (e.g. the Raycast extension's Master Key preference, or APIKEY_MASTER_KEY).",
              ].join("\n")
            : `Added master-key slot ${result.slot.name} (${result.slot.kind}).`,
        );
      }),
    );

  slot
    .command("remove <name>")
    .alias("rm")
    .description("remove a master-key slot (never the last one)")
    .action(
      action(async (ctx, name: string) => {
        const { removed, leftover } = await (await ctx.app()).slots.remove(name);
        if (leftover) ctx.out.warn(`Could not remove the ${removed.kind} material of slot ${removed.name}.`);
        ctx.out.result(
          removed,
          () => `Removed master-key slot ${removed.name}; that master key no longer opens the store.`,
        );
      }),
    );
}

async function sourceFor(
  ctx: Context,
  opts: { passphrase?: boolean; keychain?: boolean },
): Promise<MasterKeySource> {
  if (opts.keychain) return keychainSource(ctx.config.dataDir);
  if (!opts.passphrase) return generatedMasterKey();
  const passphrase = await readNewSecret(askNewPassphrase, {
    what: "passphrase for the new slot",
    hint: 'Run `apikey slot add NAME --passphrase` on a terminal, or pipe it: printf %s "$PASSPHRASE" | apikey slot add NAME --passphrase',
  });
  return passphraseSource({ passphrase });
}
