import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { ApikeyError, ERROR_CODES, isApikeyError, type Vault } from "@apikey/core";
import { budgetExceededError } from "@apikey/core/usage";
import { activeKeyCache } from "./active-key.ts";
import { sendAnthropicError } from "./anthropic-error.ts";
import { presentedCredential, type TokenChecker, tokenChecker } from "./auth.ts";
import { budgetCache } from "./budget-cache.ts";
import { requestHeadersForUpstream, responseHeadersForClient } from "./headers.ts";
import { isLoopbackHost } from "./hosts.ts";
import { type UsageRecorder, usageRecorder } from "./recorder.ts";

type RecordedEvent = NonNullable<Awaited<ReturnType<UsageRecorder["record"]>>>;

import { tokenWatcher } from "./token.ts";
import { createUsageTap, type TappedUsage } from "./usage-tap.ts";

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
  /** One line per request, and warnings. Never given a secret. */
  log?: (line: string) => void;
  now?: () => Date;
  /** How often cached state that may change elsewhere (key status, budgets, the token) is re-read. */
  refreshMs?: number;
}

export interface Gateway {
  url: string;
  host: string;
  port: number;
  /** Stops accepting, lets in-flight responses finish for up to `graceMs` (default 10 s), then closes the rest. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Starts the local gateway. Throws E_PROXY_UNSAFE_HOST or E_PROXY_BIND before anything listens. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { vault } = options;
  const host = options.host ?? "127.0.0.1";
  const profile = options.profile ?? "default";
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => new Date());
  const refreshMs = options.refreshMs ?? 2000;
  checkHost(host, options.allowRemote === true, options.token);

  const upstream = new URL(options.upstream ?? vault.config.anthropicBaseUrl ?? DEFAULT_UPSTREAM);
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

  const keys = activeKeyCache(vault, profile, Math.min(refreshMs, 1000));
  const budgets = budgetCache(vault.store, now, refreshMs);
  const watcher = tokenWatcher(vault, options.token);
  let auth: TokenChecker = tokenChecker(options.token);
  const recorder = usageRecorder(vault.store, now, (err) =>
    log(`warning: usage not recorded: ${isApikeyError(err) ? err.code : "store error"}`),
  );
  let inflight = 0;
  let closing = false;
  let idleWaiter: (() => void) | null = null;

  // The token may be rotated by another process: re-read it every `refreshMs`, and at once (at most once a
  // second, so a client with a wrong token cannot make every request hit the store) when a token does not match.
  let lastPoll = Date.now();
  let lastForcedPoll = 0;
  async function pollToken(force: boolean): Promise<void> {
    const t = Date.now();
    if (force ? t - lastForcedPoll < 1000 : t - lastPoll < refreshMs) return;
    if (force) lastForcedPoll = t;
    lastPoll = t;
    const next = await watcher.poll().catch(() => null);
    if (next !== null) auth = tokenChecker(next);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = req.url ?? "/";
    const path = url.split("?", 1)[0] ?? url;
    if (closing) res.setHeader("connection", "close");
    if (!path.startsWith("/v1/")) {
      return sendAnthropicError(res, 404, "not_found_error", "The apikey gateway forwards /v1/* paths only.");
    }
    const credential = presentedCredential(req.headers);
    void pollToken(false);
    if (!auth.isValid(credential?.value)) {
      await pollToken(true);
      if (!auth.isValid(credential?.value)) {
        log(`${req.method} ${path} 401 gateway token ${credential ? "invalid" : "missing"}`);
        return sendAnthropicError(
          res,
          401,
          "authentication_error",
          credential
            ? "Invalid gateway token. Use the token `apikey proxy token` prints."
            : "Missing gateway token: send it as x-api-key (ANTHROPIC_API_KEY) or Authorization: Bearer. `apikey proxy token` prints it.",
        );
      }
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
      forward(req, res, headers, key, warning, path, started, resolve);
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
    started: number,
    done: () => void,
  ): void {
    let finished = false;
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
      path: prefix + (req.url ?? "/"),
      headers,
    });
    upReq.setNoDelay?.(true);

    upReq.on("error", (err: NodeJS.ErrnoException) => {
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
      status = upRes.statusCode ?? 502;
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
        pipeTapped(upRes, res, (chunk) => tap.push(chunk), record);
      } else {
        pipeTapped(upRes, res, () => false, record);
      }
      upRes.on("end", () => {
        void record().then(() => {
          res.end();
          finish("ok");
        });
      });
      upRes.on("error", () => {
        res.destroy();
        void record();
        finish("upstream-aborted");
      });
    });

    // The client went away before the response ended: stop the upstream call, keep whatever usage it reported.
    res.on("close", () => {
      if (!res.writableFinished) {
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

  /** Copies upstream bytes to the client with backpressure; a chunk the tap calls final waits for `record`. */
  function pipeTapped(
    from: IncomingMessage,
    to: ServerResponse,
    isFinal: (chunk: Buffer) => boolean,
    recordFirst: () => Promise<unknown>,
  ): void {
    const write = (chunk: Buffer) => {
      if (!to.write(chunk)) {
        from.pause();
        to.once("drain", () => from.resume());
      }
    };
    from.on("data", (chunk: Buffer) => {
      if (!isFinal(chunk)) return write(chunk);
      // Hold the bytes that complete the response until its usage is committed: a client that saw the whole
      // response can rely on the event being stored, even if the gateway is killed right after.
      from.pause();
      void recordFirst().then(() => {
        if (to.destroyed) return;
        if (to.write(chunk)) from.resume();
        else to.once("drain", () => from.resume());
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
        hint: "Anyone who can reach that address could spend your keys. If you mean it, add --allow-remote (clients then need the gateway token).",
      },
    );
  }
  if (token.length < 16) {
    throw new ApikeyError(ERROR_CODES.PROXY_UNSAFE_HOST, `Listening on ${host} requires a gateway token.`, {
      hint: "Create one with `apikey proxy token`.",
    });
  }
}

function bindError(err: NodeJS.ErrnoException, host: string, port: number): ApikeyError {
  if (err.code === "EADDRINUSE") {
    return new ApikeyError(ERROR_CODES.PROXY_BIND, `Port ${port} on ${host} is already in use.`, {
      hint: "Stop the other program (another `apikey proxy`?), or pick another port with --port (0 = any free port).",
      cause: err,
    });
  }
  return new ApikeyError(
    ERROR_CODES.PROXY_BIND,
    `Could not listen on ${host}:${port} (${err.code ?? "error"}).`,
    {
      hint:
        err.code === "EACCES"
          ? "Ports below 1024 need privileges; pick one above with --port."
          : "Check --host and --port.",
      cause: err,
    },
  );
}
