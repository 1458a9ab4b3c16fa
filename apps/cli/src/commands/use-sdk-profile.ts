import { homedir } from "node:os";
import { anthropicConfigDir } from "@apikey/core";
import type { Context } from "../context.ts";

/** `apikey use NAME --sdk-profile`: the official SDKs' active_config follows the switch (opt-in). */
export async function useWithSdkProfile(ctx: Context, name: string): Promise<void> {
  const configDir = anthropicConfigDir(process.env, homedir());
  const done = await (await ctx.app()).keys.useWithSdkProfile(name, ctx.profile, configDir);
  ctx.out.result(
    done,
    () =>
      `Profile ${done.key.profile} now uses ${done.key.name} (${done.key.masked}); the official SDKs now use their profile ${done.sdkProfile} (${configDir}/active_config)${done.configWritten ? `, written for this key to ${done.configWritten}` : ""}.`,
  );
}
