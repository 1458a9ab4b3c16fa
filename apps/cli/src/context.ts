import { hostname, userInfo } from "node:os";
import { type Config, loadConfig, storeFileIn, Vault } from "@apikey/core";
import { openStore } from "@apikey/storage";
import type { Output } from "./io/output.ts";
import { askHidden, askNewPassphrase } from "./io/secret-input.ts";

export interface GlobalOptions {
  profile: string;
  json: boolean;
}

export interface Context {
  config: Config;
  vault: Vault;
  out: Output;
  profile: string;
  close(): Promise<void>;
}

export function cliActor(): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep "unknown".
  }
  return `cli:${user}@${hostname()}`;
}

export async function openContext(globals: GlobalOptions, out: Output): Promise<Context> {
  const config = loadConfig();
  const store = await openStore({ path: storeFileIn(config.dataDir) });
  const vault = new Vault({
    store,
    config,
    actor: cliActor(),
    front: "cli",
    onWarning: (text) => out.warn(text),
    ...(process.stdin.isTTY && {
      promptPassphrase: (purpose: "unlock" | "create") =>
        purpose === "create" ? askNewPassphrase() : askHidden("Passphrase for the apikey store"),
    }),
  });
  return { config, vault, out, profile: globals.profile, close: () => store.close() };
}
