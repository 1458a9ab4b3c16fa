import type { Metering } from "@apikey/core";
import { checkListenHost } from "./hosts.ts";
import { logSink } from "./request-log.ts";
import { type Upstream, upstreamFor } from "./upstream.ts";

// What startGateway was asked for, with every default filled in and checked before anything listens.

export const DEFAULT_GATEWAY_PORT = 8787;
export const DEFAULT_UPSTREAM = "https://api.anthropic.com";

export interface GatewayOptions {
  /** What openApikey returned: the gateway uses its `metering` port (active keys, token hashing, usage). */
  app: { metering: Metering };
  /** The profile of tokens bound to none (the `default` token). Default: `default`. */
  profile?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Anything but loopback needs `allowRemote`. */
  host?: string;
  allowRemote?: boolean;
  /** Base URL of the API; default ANTHROPIC_BASE_URL, else https://api.anthropic.com. */
  upstream?: string;
  /**
   * Accept a plain http:// upstream on a non-loopback host (the real key would cross the network in clear).
   * Default: the config's APIKEY_ALLOW_INSECURE_BASE_URL.
   */
  allowInsecureUpstream?: boolean;
  /** Upstream timeouts in ms; defaults from the config (APIKEY_UPSTREAM_TIMEOUT_MS, …_CONNECT_TIMEOUT_MS). */
  timeouts?: { connectMs?: number; silenceMs?: number };
  /** One line per request. Never given a secret; control characters arrive escaped. */
  log?: (line: string) => void;
  /**
   * Warnings and errors, one line each (default: `log`); a front shows these at once. Never given a secret;
   * control characters arrive escaped.
   */
  warn?: (line: string) => void;
  now?: () => Date;
  /** Cached state is re-read whenever another process commits to the store, and at least every `refreshMs`. */
  refreshMs?: number;
  /**
   * A directory for the usage journal (usage-journal.ts): responses are released once their usage is appended
   * there, and folded into the store a moment later. Without it, each response waits for its usage commit.
   */
  usageJournal?: string;
}

export interface GatewaySettings {
  core: Metering;
  host: string;
  port: number;
  /** The profile of tokens bound to none. */
  profile: string;
  log: (line: string) => void;
  warn: (line: string) => void;
  now: () => Date;
  refreshMs: number;
  /** The active key of `profile` at start; null: its requests fail until one is chosen. */
  activeKey: string | null;
  upstream: Upstream;
  usageJournal: string | null;
}

/** Throws E_PROXY_UNSAFE_HOST, E_PROFILE_NOT_FOUND or E_USAGE (a plain-http remote upstream). */
export async function resolveOptions(options: GatewayOptions): Promise<GatewaySettings> {
  const core = options.app.metering;
  const host = options.host ?? "127.0.0.1";
  const log = logSink(options.log);
  checkListenHost(host, options.allowRemote === true);
  const profile = options.profile ?? "default";
  const activeKey = await core.activeKeyName(profile);
  const upstream = await upstreamFor(
    options.upstream ?? core.config.anthropicBaseUrl ?? DEFAULT_UPSTREAM,
    options.allowInsecureUpstream ?? core.config.allowInsecureBaseUrl,
    {
      connectMs: options.timeouts?.connectMs ?? core.config.upstreamConnectTimeoutMs,
      silenceMs: options.timeouts?.silenceMs ?? core.config.upstreamTimeoutMs,
    },
  );
  return {
    core,
    host,
    port: options.port ?? DEFAULT_GATEWAY_PORT,
    profile,
    log,
    warn: options.warn ? logSink(options.warn) : log,
    now: options.now ?? (() => new Date()),
    refreshMs: options.refreshMs ?? 2000,
    activeKey,
    upstream,
    usageJournal: options.usageJournal ?? null,
  };
}
