import { homedir } from "node:os";
import {
  type AddKeyResult,
  preflightFederated,
  readAnthropicProfile,
  type UserOAuthProfile,
} from "@apikey/core";
import type { Context } from "../context.ts";
import { UsageError } from "../io/errors.ts";
import { confirm } from "../io/secret-input.ts";
import { reportAdded } from "./keys.ts";

// `apikey import --from anthropic-profiles [PROFILE]`: an official SDK profile moved into the store, named
// `anthropic-<profile>` unless --name says otherwise. An oidc_federation profile becomes a federated key (no secret);
// a user_oauth profile's plaintext tokens become an OAuth key, and the plaintext file is then offered for removal —
// asked on a terminal, done with --remove-plaintext, otherwise left in place with a note saying where it is. Never
// removed silently: another tool may still read it.

export interface SdkProfileImportFlags {
  name?: string;
  validate?: boolean;
  dryRun?: boolean;
  removePlaintext?: boolean;
}

export async function importAnthropicProfile(
  ctx: Context,
  profile: string | undefined,
  opts: SdkProfileImportFlags,
): Promise<void> {
  if (opts.dryRun)
    throw new UsageError(
      "--dry-run is not supported with --from anthropic-profiles yet.",
      "Run it without --dry-run.",
    );
  const found = await readAnthropicProfile(process.env, homedir(), profile);
  const name = opts.name ?? `anthropic-${found.profile}`;
  if (found.type === "user_oauth") return importUserOAuth(ctx, name, found, opts);
  if (opts.removePlaintext)
    throw new UsageError(
      "--remove-plaintext applies to user_oauth profiles only.",
      "An oidc_federation profile has no credentials to remove.",
    );
  const checked = await preflightFederated(ctx.config, found.input, opts.validate === true);
  reportAdded(ctx, await (await ctx.app()).keys.addFederated({ name, profile: ctx.profile, ...checked }));
}

async function importUserOAuth(
  ctx: Context,
  name: string,
  found: UserOAuthProfile,
  opts: SdkProfileImportFlags,
): Promise<void> {
  const app = await ctx.app();
  const imported = await app.keys.importUserOAuth({ name, profile: ctx.profile, found });
  const validation = opts.validate ? (await app.keys.validate(name, ctx.profile)).validation : null;
  const remove =
    opts.removePlaintext === true ||
    (process.stdin.isTTY === true &&
      process.stderr.isTTY === true &&
      (await confirm(`Stored encrypted. Delete the plaintext credentials file ${found.credentialsPath}?`)));
  const removed = remove
    ? await app.keys.removePlaintextCredentials(imported.key.id, ctx.profile, found.credentialsPath)
    : false;
  const result: AddKeyResult & { plaintextCredentials: { path: string; removed: boolean } } = {
    key: imported.key,
    validation,
    notActivated: imported.activated ? null : "profile_has_active_key",
    plaintextCredentials: { path: found.credentialsPath, removed },
  };
  reportAdded(ctx, result);
  if (!removed)
    ctx.out.warn(
      `the plaintext credentials file is still at ${found.credentialsPath}. Delete it once no other tool needs it or pass --remove-plaintext when importing.`,
    );
}
