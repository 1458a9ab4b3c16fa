import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { ApikeyError, assertSafeBaseUrl, ERROR_CODES, isApikeyError, type Vault } from "@apikey/core";
import { budgetExceededError } from "@apikey/core/usage";
import { activeKeyCache } from "./active-key.ts";
import { sendAnthropicError } from "./anthropic-error.ts";
import { presentedCredential, type TokenChecker, tokenChecker } from "./auth.ts";
import { budgetCache } from "./budget-cache.ts";
import { requestHeadersForUpstream, responseHeadersForClient } from "./headers.ts";
import { allowedHostHeaders, isLoopbackHost } from "./hosts.ts";
import { type UsageRecorder, usageRecorder } from "./recorder.ts";
import { checkRequestPath } from "./request-path.ts";
import { tokenWatcher } from "./token.ts";
import { upstreamTimer } from "./upstream-timer.ts";
import { createUsageTap, type TappedUsage } from "./usage-tap.ts";

type RecordedEvent = NonNullable<Awaited<ReturnType<UsageRecorder["record"]>>>;

export const DEFAULT_GATEWAY_PORT = 8787;
export const DEFAULT_UPSTREAM = "https://api.anthropic.com";
export const BUDGET_WARNING_HEADER = "apikey-budget-warning";

export interface GatewayOptions {
  /** Its store, config (ANTHROPIC_BASE_URL) and data key. */
  vault: Vault;
  profile?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Anything but loopback needs `allowRemote`. */
  host?: string;
  allowRemote?: boolean;
  /** What clients must send as `x-api-key` or `Authorization: Bearer`. */
  token: string;
  /** Base URL of the API; default ANTHROPIC_BASE_URL, else https://api.anthropic.com. */
  upstream?: string;
  /**
   * Accept a plain http:// upstream on a non-loopback host (the real key would cross the network in clear).
   * Default: the config's APIKEY_ALLOW_INSECURE_BASE_URL.
   */
  allowInsecureUpstream?: boolean;
  /** Upstream timeouts in ms; defaults from the config (APIKEY_UPSTREAM_TIMEOUT_MS, …_CONNECT_TIMEOUT_MS). */
  timeouts?: { connectMs?: number; silenceMs?: number };
  /** One line per request, and warnings. Never given a secret. */
  log?: (line: string) => void;
  now?: () => Date;
  /**
   * Cached state (active key, budgets, the token) is re-read whenever another process has committed to the store;
   * also every `refreshMs` as a safety net (and for the turn of the month).
   */
  refreshMs?: number;
}

export interface Gateway {
  url: string;
  host: string;
  port: number;
  /** Stops accepting, lets in-flight responses finish for up to `graceMs` (default 10 s), then closes the rest. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Starts the local gateway. Throws E_PROXY_UNSAFE_HOST, E_PROXY_BIND, or E_USAGE (a plain-http remote upstream)
 * before anything listens.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { vault } = options;
  const host = options.host ?? "127.0.0.1";
  const profile = options.profile ?? "default";
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => new Date());
  const refreshMs = options.refreshMs ?? 2000;
  checkHost(host, options.allowRemote === true, options.token);

  const upstreamUrl = options.upstream ?? vault.config.anthropicBaseUrl ?? DEFAULT_UPSTREAM;
  assertSafeBaseUrl(upstreamUrl, options.allowInsecureUpstream ?? vault.config.allowInsecureBaseUrl);
  const upstream = new URL(upstreamUrl);
  const timeouts = {
    connectMs: options.timeouts?.connectMs ?? vault.config.upstreamConnectTimeoutMs,
    silenceMs: options.timeouts?.silenceMs ?? vault.config.upstreamTimeoutMs,
  };
  const secure = upstream.protocol === "https:";
  const transport = secure ? https : http;
  // One pool of kept-alive upstream connections: a TLS handshake per request would dwarf everything else here.
  const agent = new transport.Agent({
    keepAlive: true,
    maxSockets: 256,
    maxFreeSockets: 64,
    scheduling: "lifo",
  });
  const upstreamHost = upstream.host;
  const upstreamHostname = upstream.hostname.replace(/^\[(.*)\]$/, "$1");
  const upstreamPort = upstream.port === "" ? (secure ? 443 : 80) : Number(upstream.port);
  const prefix = upstream.pathname.replace(/\/+$/, "");

  const keys = activeKeyCache(vault, profile, refreshMs);
  const budgets = budgetCache(vault.store, now, refreshMs);
  const watcher = tokenWatcher(vault, options.token);
  let auth: TokenChecker = tokenChecker(options.token);
  const recorder = usageRecorder(vault.store, now, (err) =>
    log(`warning: usage not recorded: ${isApikeyError(err) ? err.code : "store error"}`),
  );
  let inflight = 0;
  let closing = false;
  let idleWaiter: (() => void) | null = null;
  // Set once listening: the Host values a request to this gateway can carry (null: not checked, see below).
  let hostHeaders: Set<string> | null = null;

  // Another process may rotate the token, disable or switch the key, or set a budget. SQLite's data_version moves
  // whenever another connection commits, so one cheap PRAGMA per request tells whether anything cached may be
  // stale; only then are the token, the active key and the budgets read again. `refreshMs` is a safety net.
  let primed = false;
  let seenVersion: number | null = null;
  let lastRefresh = 0;
  // Requests that arrive while a refresh is under way wait for it: they must not pass the token check with the
  // token the refresh is about to replace.
  let refreshing: Promise<void> | null = null;
  async function refreshIfChanged(): Promise<void> {
    for (;;) {
      if (refreshing) await refreshing;
      const version = await vault.store.dataVersion().catch(() => null);
      if (primed && version !== null && version === seenVersion && Date.now() - lastRefresh < refreshMs)
        return;
      if (refreshing) continue;
      refreshing = (async () => {
        // Before the first request nothing is cached yet but the token given at start.
        if (primed) {
          keys.invalidate();
          budgets.invalidate();
        }
        primed = true;
        seenVersion = version;
        lastRefresh = Date.now();
        await pollToken();
      })().finally(() => {
        refreshing = null;
      });
      return refreshing;
    }
  }

  // data_version does not move for this connection's own commits (a rotation made in this process): a token that
  // does not match is also checked against the store, at most once a second so a client with a wrong token cannot
  // make every request read it.
  let lastForcedPoll = 0;
  async function pollToken(): Promise<void> {
    const next = await watcher.poll().catch(() => null);
    if (next !== null) auth = tokenChecker(next);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    if (closing) res.setHeader("connection", "close");
    // Before anything else: a web page that rebinds its own name to 127.0.0.1 sends its name as Host, and must not
    // even learn whether its guess at the token was right.
    if (hostHeaders !== null && !hostHeaders.has((req.headers.host ?? "").toLowerCase())) {
      log(`${req.method} - 403 unexpected Host header`);
      return sendAnthropicError(
        res,
        403,
        "permission_error",
        "apikey gateway: the Host header does not name this gateway's address (127.0.0.1, localhost or [::1] with its port).",
      );
    }
    const target = checkRequestPath(req.url ?? "/");
    if (!target.ok) {
      log(`${req.method} - ${target.status} refused path`);
      return sendAnthropicError(res, target.status, target.type, target.message);
    }
    const { path } = target;
    const credential = presentedCredential(req.headers);
    await refreshIfChanged();
    if (!auth.isValid(credential?.value) && Date.now() - lastForcedPoll >= 1000) {
      lastForcedPoll = Date.now();
      await pollToken();
    }
    if (!auth.isValid(credential?.value)) {
      log(`${req.method} ${path} 401 gateway token ${credential ? "invalid" : "missing"}`);
      return sendAnthropicError(
        res,
        401,
        "authentication_error",
        credential
          ? "Invalid gateway token. Use the gateway token you were given (its owner can print or rotate it)."
          : "Missing gateway token: send it as x-api-key (ANTHROPIC_API_KEY) or Authorization: Bearer.",
      );
    }

    let key: Awaited<ReturnType<typeof keys.current>>;
    try {
      key = await keys.current();
    } catch (err) {
      const message = isApikeyError(err)
        ? `apikey gateway: ${err.message} ${err.hint ?? ""}`.trim()
        : "apikey gateway: the store could not be read.";
      log(`${req.method} ${path} 503 ${isApikeyError(err) ? err.code : "store error"}`);
      return sendAnthropicError(res, 503, "api_error", message, { "x-should-retry": "false" });
    }

    let warning: string | null = null;
    try {
      const budget = await budgets.check(key.keyId, key.name);
      if (budget.blocked) {
        const refusal = budgetExceededError(budget, key.name);
        log(`${req.method} ${path} ${refusal.status} over budget (key ${key.name})`);
        return sendAnthropicError(
          res,
          refusal.status,
          refusal.body.error.type,
          refusal.body.error.message,
          refusal.headers,
        );
      }
      if (budget.state === "warn" || budget.state === "over") warning = budget.message;
    } catch (err) {
      // Accounting trouble must not take the API away; say so and forward.
      log(`warning: budget check failed: ${isApikeyError(err) ? err.code : "store error"}`);
    }

    const headers = requestHeadersForUpstream(req.headers, upstreamHost);
    // Mirror the client's scheme for API keys; OAuth access tokens only work as bearer tokens.
    if (key.kind === "oauth" || credential?.scheme === "bearer")
      headers.authorization = `Bearer ${key.secret}`;
    else headers["x-api-key"] = key.secret;

    inflight++;
    await new Promise<void>((resolve) => {
      forward(req, res, headers, key, warning, path, target.target, started, resolve);
    });
    inflight--;
    if (inflight === 0) idleWaiter?.();
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    headers: http.OutgoingHttpHeaders,
    key: { keyId: string; name: string },
    warning: string | null,
    path: string,
    upstreamTarget: string,
    started: number,
    done: () => void,
  ): void {
    let finished = false;
    // Which timeout ended the exchange, if one did: the upstream's events after that are only its teardown.
    let timedOut: "connect" | "silence" | null = null;
    let streaming = false;
    let tapped: (() => TappedUsage | null) | null = null;
    let recording: Promise<RecordedEvent | null> | null = null;
    let status = 0;
    let upstreamRequestId: string | string[] | undefined;

    const record = (): Promise<RecordedEvent | null> => {
      if (recording) return recording;
      const usage = tapped?.() ?? null;
      if (!usage) {
        recording = Promise.resolve(null);
        return recording;
      }
      const requestId = upstreamRequestId;
      if (usage.refused) {
        log(
          `warning: usage refused for key ${key.name}: ${usage.refused}; recorded with no tokens and no cost`,
        );
      }
      recording = recorder
        .record({
          keyId: key.keyId,
          ...usage,
          requestId: typeof requestId === "string" ? requestId : null,
          front: "gateway",
        })
        .then((event) => {
          if (event) budgets.add(key.keyId, event.costUsd);
          return event;
        });
      return recording;
    };

    const finish = (outcome: string) => {
      if (finished) return;
      finished = true;
      void (recording ?? Promise.resolve(null)).then((event) => {
        const ms = (performance.now() - started).toFixed(1);
        const tokens = event
          ? ` ${event.model} in=${event.inputTokens} out=${event.outputTokens}` +
            (event.cacheReadTokens + event.cacheCreationTokens > 0
              ? ` cache=${event.cacheCreationTokens}w/${event.cacheReadTokens}r`
              : "") +
            (event.costUsd !== null ? ` $${event.costUsd.toFixed(4)}` : "")
          : "";
        log(`${req.method} ${path} ${outcome}${status ? ` ${status}` : ""} ${ms}ms key=${key.name}${tokens}`);
        done();
      });
    };

    const upReq = (transport.request as typeof http.request)({
      agent,
      hostname: upstreamHostname,
      port: upstreamPort,
      method: req.method,
      path: prefix + upstreamTarget,
      headers,
    });
    upReq.setNoDelay?.(true);

    const timer = upstreamTimer(upReq, secure, timeouts, (phase) => {
      timedOut = phase;
      const seconds = `${(phase === "connect" ? timeouts.connectMs : timeouts.silenceMs) / 1000}`;
      if (!res.headersSent) {
        status = 504;
        sendAnthropicError(
          res,
          504,
          "timeout_error",
          phase === "connect"
            ? `apikey gateway: could not connect to the upstream API within ${seconds} s.`
            : `apikey gateway: the upstream API sent nothing for ${seconds} s (APIKEY_UPSTREAM_TIMEOUT_MS).`,
        );
      } else if (streaming) {
        // Mid-stream: end it the way the API reports a failure in a stream, so clients raise an error instead of
        // taking a cut stream for a finished one.
        res.end(
          `event: error\ndata: ${JSON.stringify({
            type: "error",
            error: {
              type: "timeout_error",
              message: `apikey gateway: the upstream API sent nothing for ${seconds} s (APIKEY_UPSTREAM_TIMEOUT_MS).`,
            },
          })}\n\n`,
        );
      } else {
        res.destroy();
      }
      upReq.destroy();
      void record();
      finish("upstream-timeout");
    });

    upReq.on("error", (err: NodeJS.ErrnoException) => {
      timer.stop();
      if (timedOut) return;
      if (!res.headersSent) {
        status = 502;
        sendAnthropicError(
          res,
          502,
          "api_error",
          `apikey gateway: the upstream API could not be reached (${err.code ?? "error"}).`,
        );
      } else {
        res.destroy();
      }
      void record();
      finish("upstream-error");
    });

    upReq.on("response", (upRes) => {
      if (timedOut) return upRes.destroy();
      timer.responseStarted(upRes);
      status = upRes.statusCode ?? 502;
      streaming = (upRes.headers["content-type"] ?? "").toLowerCase().startsWith("text/event-stream");
      upstreamRequestId = upRes.headers["request-id"];
      const out = responseHeadersForClient(upRes.headers);
      if (warning !== null) out[BUDGET_WARNING_HEADER] = warning.replace(/[^\x20-\x7e]/g, "?");
      if (closing) out.connection = "close";
      res.writeHead(status, out);
      if (req.method === "POST") {
        const lengthHeader = upRes.headers["content-length"];
        const tap = createUsageTap({
          contentType: upRes.headers["content-type"],
          contentLength: lengthHeader === undefined ? undefined : Number(lengthHeader),
        });
        tapped = tap.result;
        pipeTapped(upRes, res, (chunk) => tap.push(chunk), record, timer);
      } else {
        pipeTapped(upRes, res, () => false, record, timer);
      }
      upRes.on("end", () => {
        timer.stop();
        if (timedOut) return;
        void record().then(() => {
          res.end();
          finish("ok");
        });
      });
      upRes.on("error", () => {
        timer.stop();
        if (timedOut) return;
        res.destroy();
        void record();
        finish("upstream-aborted");
      });
    });

    // The client went away before the response ended: stop the upstream call, keep whatever usage it reported.
    res.on("close", () => {
      timer.stop();
      if (!res.writableFinished && !timedOut) {
        upReq.destroy();
        void record();
        finish("client-closed");
      }
    });
    req.pipe(upReq);
  }

  const server = http.createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`error: ${err instanceof Error ? err.name : "unknown"}`);
      sendAnthropicError(res, 500, "api_error", "apikey gateway: internal error.");
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(bindError(err, host, options.port ?? DEFAULT_GATEWAY_PORT));
    server.once("error", onError);
    server.listen(options.port ?? DEFAULT_GATEWAY_PORT, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  // Only on loopback: with --allow-remote, clients reach the gateway by whatever name the machine has on their
  // network, and the token is the guard.
  if (isLoopbackHost(address.address)) hostHeaders = allowedHostHeaders(address.address, address.port);

  let closed: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
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
        agent.destroy();
        keys.clear();
      })();
      return closed;
    },
  };

  /**
   * Copies upstream bytes to the client with backpressure; a chunk the tap calls final waits for `record`. While
   * reading is paused (a slow client, a commit) the upstream's silence is ours, so the silence timer is stopped.
   */
  function pipeTapped(
    from: IncomingMessage,
    to: ServerResponse,
    isFinal: (chunk: Buffer) => boolean,
    recordFirst: () => Promise<unknown>,
    timer: { pause(): void; resume(): void },
  ): void {
    const pause = () => {
      from.pause();
      timer.pause();
    };
    const resume = () => {
      timer.resume();
      from.resume();
    };
    const write = (chunk: Buffer) => {
      if (!to.write(chunk)) {
        pause();
        to.once("drain", resume);
      }
    };
    from.on("data", (chunk: Buffer) => {
      if (!isFinal(chunk)) return write(chunk);
      // Hold the bytes that complete the response until its usage is committed: a client that saw the whole
      // response can rely on the event being stored, even if the gateway is killed right after.
      pause();
      void recordFirst().then(() => {
        if (to.destroyed) return;
        if (to.write(chunk)) resume();
        else to.once("drain", resume);
      });
    });
  }
}

function checkHost(host: string, allowRemote: boolean, token: string): void {
  if (isLoopbackHost(host)) return;
  if (!allowRemote) {
    throw new ApikeyError(
      ERROR_CODES.PROXY_UNSAFE_HOST,
      `Refusing to listen on ${host}: only loopback addresses are allowed by default.`,
      {
        hint: "Anyone who can reach that address could spend your keys; allow remote clients explicitly if you mean it.",
        details: { reason: "remote_not_allowed", host },
      },
    );
  }
  if (token.length < 16) {
    throw new ApikeyError(ERROR_CODES.PROXY_UNSAFE_HOST, `Listening on ${host} requires a gateway token.`, {
      details: { reason: "token_required", host },
    });
  }
}

function bindError(err: NodeJS.ErrnoException, host: string, port: number): ApikeyError {
  if (err.code === "EADDRINUSE") {
    return new ApikeyError(ERROR_CODES.PROXY_BIND, `Port ${port} on ${host} is already in use.`, {
      hint: "Stop the other program (another gateway?), or pick another port (0 = any free port).",
      details: { reason: "port_in_use", host, port },
      cause: err,
    });
  }
  return new ApikeyError(
    ERROR_CODES.PROXY_BIND,
    `Could not listen on ${host}:${port} (${err.code ?? "error"}).`,
    {
      hint:
        err.code === "EACCES"
          ? "Ports below 1024 need privileges; pick one above."
          : "Check the host and port.",
      details: { reason: err.code === "EACCES" ? "privileged_port" : "bind_failed", host, port },
      cause: err,
    },
  );
}
