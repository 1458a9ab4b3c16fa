import { hostname, userInfo } from "node:os";
import { type Config, loadConfig, type Store, storeFileIn, Vault } from "@apikey/core";
import { openStore } from "@apikey/storage";
import type { Output } from "./io/output.ts";
import { askHidden, askNewPassphrase } from "./io/secret-input.ts";

export interface GlobalOptions {
  profile: string;
  json: boolean;
}

export interface Context {
  config: Config;
  /** Opens the store on first use, so input errors found before it (a malformed key) write nothing. */
  vault(): Promise<Vault>;
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

export function createContext(globals: GlobalOptions, out: Output): Context {
  const config = loadConfig();
  let opened: Promise<{ store: Store; vault: Vault }> | undefined;
  const open = async () => {
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
    return { store, vault };
  };
  return {
    config,
    out,
    profile: globals.profile,
    vault: async () => {
      opened ??= open();
      return (await opened).vault;
    },
    close: async () => {
      if (opened) await (await opened).store.close();
      opened = undefined;
    },
  };
}
