import { type Apikey, type Config, loadConfig } from "@apikey/core";
import type { IfMissing } from "@apikey/storage/better-sqlite3";
import type { Output } from "./io/output.ts";

export interface GlobalOptions {
  profile: string;
  json: boolean;
}

export interface Context {
  config: Config;
  /** Opens the store on first use, so input errors found before it (a malformed key) write nothing. */
  app(): Promise<Apikey>;
  out: Output;
  profile: string;
  close(): Promise<void>;
}

export function createContext(
  globals: GlobalOptions,
  out: Output,
  mode: { ifMissing: IfMissing; server?: boolean } = { ifMissing: "refuse" },
): Context {
  const config = loadConfig();
  let opened: Promise<Apikey> | undefined;
  // What opens the store (core's use cases, the driver, the keychain, prompts) loads with the first use of it.
  const open = async () => (await import("./open-app.ts")).openCliApikey(config, out, mode);
  return {
    config,
    out,
    profile: globals.profile,
    app: () => {
      opened ??= open();
      return opened;
    },
    close: async () => {
      if (opened) await (await opened).close();
      opened = undefined;
    },
  };
}
