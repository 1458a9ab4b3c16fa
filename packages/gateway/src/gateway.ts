import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isApikeyError, type Metering, meteringOf, reservations } from "@apikey/core";
import { activeKeys } from "./active-key.ts";
import {
  authenticate,
  authorize,
  blockingBudget,
  checkBatch,
  checkEndpointModels,
  keyFor,
  readsBody,
} from "./admission.ts";
import { sendRefusal } from "./anthropic-error.ts";
import { presentedCredential } from "./auth.ts";
import { listen } from "./bind-address.ts";
import { endpointFor } from "./endpoints.ts";
import { forward } from "./forward.ts";
import { freshness } from "./freshness.ts";
import { requestHeadersForUpstream, withKey } from "./headers.ts";
import { allowedHostHeaders, checkListenHost, isLoopbackHost } from "./hosts.ts";
import { type Refusal, refuse } from "./messages.ts";
import { usageRecorder } from "./recorder.ts";
import { mayCost, requestWorstCase } from "./request-cost.ts";
import { field, logSink, requestLine } from "./request-log.ts";
import { readBody } from "./request-models.ts";
import { checkRequestPath } from "./request-path.ts";
import { spendCache } from "./spend-cache.ts";
import { tokenTable } from "./token-table.ts";
import { upstreamFor } from "./upstream.ts";

export const DEFAULT_GATEWAY_PORT = 8787;
export const DEFAULT_UPSTREAM = "https://api.anthropic.com";

export interface GatewayOptions {
  /** What openApikey returned: the gateway uses its `metering` port (active keys, token hashing, usage). */
  app?: { metering: Metering };
  /** @deprecated A session from before openApikey (tests); pass `app`. */
  vault?: Parameters<typeof meteringOf>[0]["vault"];
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
}

export interface Gateway {
  url: string;
  host: string;
  port: number;
  /** The active key of the gateway's profile when it started; null: its requests fail until one is chosen. */
  activeKey: string | null;
  /** USD that requests in flight hold against blocking budgets: 0 once they have all ended (nothing leaks). */
  heldUsd(): number;
  /** Stops accepting, lets in-flight responses finish for up to `graceMs` (default 10 s), then closes the rest. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Starts the local gateway. Throws E_PROXY_UNSAFE_HOST, E_PROXY_BIND, E_PROFILE_NOT_FOUND, E_USAGE (a plain-http
 * remote upstream) or the store's unlock errors before anything listens.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const core = meteringOf(options);
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_GATEWAY_PORT;
  const profile = options.profile ?? "default";
  const log = logSink(options.log);
  const warn = options.warn ? logSink(options.warn) : log;
  const now = options.now ?? (() => new Date());
  const refreshMs = options.refreshMs ?? 2000;
  checkListenHost(host, options.allowRemote === true);
  const activeKey = await core.activeKeyName(profile);

  const upstream = await upstreamFor(
    options.upstream ?? core.config.anthropicBaseUrl ?? DEFAULT_UPSTREAM,
    options.allowInsecureUpstream ?? core.config.allowInsecureBaseUrl,
    {
      connectMs: options.timeouts?.connectMs ?? core.config.upstreamConnectTimeoutMs,
      silenceMs: options.timeouts?.silenceMs ?? core.config.upstreamTimeoutMs,
    },
  );
  const store = core.store;
  const tokens = tokenTable(store, await core.tokenHasher());
  const keys = activeKeys(core, refreshMs);
  const budgets = {
    // Recorded or reported, whichever is larger (core's rule). Costs recorded here are added on top of that figure
    // until the next read: when the report led, that over-counts for at most refreshMs, on the side of the budget.
    keys: spendCache((w, keyId) => core.keySpend(w, keyId), now, refreshMs),
    tokens: spendCache(
      async (w, tokenId) => (await store.usage.spendByToken({ ...w, tokenId }))[0]?.costUsd ?? 0,
      now,
      refreshMs,
    ),
    held: reservations(),
    onError: (err: unknown) =>
      warn(`warning: budget check failed: ${isApikeyError(err) ? err.code : "store error"}`),
  };
  const fresh = freshness(store, refreshMs, () => {
    tokens.invalidate();
    keys.invalidate();
    budgets.keys.invalidate();
    budgets.tokens.invalidate();
  });
  const recorder = usageRecorder(store, now, (err) =>
    warn(`warning: usage not recorded: ${isApikeyError(err) ? err.code : "store error"}`),
  );
  let inflight = 0;
  let closing = false;
  let idleWaiter: (() => void) | null = null;
  // Set once listening: the Host values a request to this gateway can carry (null: not checked, see below).
  let hostHeaders: Set<string> | null = null;

  const forwardContext = {
    upstream,
    recorder,
    onRecorded: (
      grant: { key: { keyId: string }; token: { id: string }; hold: { release(): void } | null },
      event: { costUsd: number | null },
    ) => {
      // The actual cost replaces the worst case held for it, in one synchronous step.
      budgets.keys.add(grant.key.keyId, event.costUsd);
      budgets.tokens.add(grant.token.id, event.costUsd);
      grant.hold?.release();
    },
    onWarning: warn,
    closing: () => closing,
  };

  const refused = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    refusal: Refusal,
    why: string,
  ) => {
    log(`${req.method} ${field(path)} ${refusal.status} ${why}`);
    sendRefusal(res, refusal);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    if (closing) res.setHeader("connection", "close");
    // Before anything else: a web page that rebinds its own name to 127.0.0.1 sends its name as Host, and must not
    // even learn whether its guess at a token was right.
    if (hostHeaders !== null && !hostHeaders.has((req.headers.host ?? "").toLowerCase()))
      return refused(req, res, "-", refuse.wrongHost(), "unexpected Host header");
    const target = checkRequestPath(req.url ?? "/");
    if (!target.ok) {
      log(`${req.method} - ${target.status} refused path`);
      return sendRefusal(res, target);
    }
    const { path } = target;
    // Only endpoints the gateway can check and meter go upstream; the Admin API never does.
    const route = endpointFor(req.method ?? "", path);
    if (!route.ok) return refused(req, res, path, route.refusal, "endpoint not forwarded");
    const { endpoint } = route;
    const credential = presentedCredential(req.headers);
    await fresh.check();
    const auth = await authenticate(tokens, credential, now().getTime());
    if (!auth.ok) return refused(req, res, path, auth.refusal, auth.reason);
    const token = auth.value;

    let body: Buffer | null = null;
    const tooLarge = () => {
      res.setHeader("connection", "close");
      return refused(req, res, path, refuse.bodyTooLarge(32 << 20), "body too large to check");
    };
    if (readsBody(token, endpoint)) {
      body = await readBody(req);
      if (body === null) return tooLarge();
    }
    const models = checkEndpointModels(token, endpoint, body);
    if (!models.ok) return refused(req, res, path, models.refusal, models.reason);

    const keyed = await keyFor(token.profile ?? profile, keys);
    if (!keyed.ok) return refused(req, res, path, keyed.refusal, keyed.reason);
    const batch = checkBatch(endpoint, token, keyed.value);
    if (!batch.ok) return refused(req, res, path, batch.refusal, batch.reason);
    // A blocking budget holds each request's worst case while it is in flight, read from its body.
    const costs = blockingBudget(token, keyed.value) && mayCost(endpoint);
    if (costs && body === null) {
      body = await readBody(req);
      if (body === null) return tooLarge();
    }
    const granted = await authorize(token, keyed.value, budgets, costs ? requestWorstCase(body) : null);
    if (!granted.ok) return refused(req, res, path, granted.refusal, granted.reason);
    const grant = granted.value;

    const headers = withKey(
      requestHeadersForUpstream(req.headers, upstream.host),
      grant.key,
      credential?.scheme,
    );

    inflight++;
    let result: Awaited<ReturnType<typeof forward>>;
    try {
      result = await forward({ req, res, headers, body, grant, target: target.target }, forwardContext);
    } finally {
      inflight--;
      // Ended without recorded usage (refused upstream, failed, cut, or its commit failed): nothing to settle
      // against, so the hold is simply given back. A no-op when the usage already settled it.
      grant.hold?.release();
    }
    const names = { key: grant.key.name, token: grant.token.name };
    log(requestLine(req.method, path, result.outcome, result.status, started, names, result.event));
    if (inflight === 0) idleWaiter?.();
  }

  const server = http.createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      warn(`error: ${err instanceof Error ? err.name : "unknown"}`);
      sendRefusal(res, refuse.internal());
    });
  });

  await listen(server, host, port);
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  // Only on loopback: with allowRemote, clients reach the gateway by whatever name the machine has on their
  // network, and the tokens are the guard.
  if (isLoopbackHost(address.address)) hostHeaders = allowedHostHeaders(address.address, address.port);

  let closed: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    activeKey,
    heldUsd: () => budgets.held.total(),
    close(closeOptions = {}) {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inflight > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, closeOptions.graceMs ?? 10_000);
            idleWaiter = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        server.closeAllConnections();
        await stopped;
        await recorder.idle();
        await upstream.close();
        keys.clear();
      })();
      return closed;
    },
  };
}
