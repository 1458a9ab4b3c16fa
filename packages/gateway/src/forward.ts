import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { firstChunkMayEndStream, type UsageEvent } from "@apikey/core";
import type { Dispatcher } from "undici";
import type { Grant } from "./admission.ts";
import { sendRefusal } from "./anthropic-error.ts";
import { responseHeadersForClient as responseHeaders } from "./headers.ts";
import { refuse } from "./messages.ts";
import type { UsageRecorder } from "./recorder.ts";
import { Relay } from "./relay.ts";
import type { Upstream } from "./upstream.ts";
import { failureCode, timeoutPhase } from "./upstream-errors.ts";
import { createUsageTap, type TapOptions, type UsageTap } from "./usage-tap.ts";

// One admitted request's trip upstream and back: the response streams to the client as it arrives, its usage is
// tapped on the way and recorded (journaled, or committed: gateway-state.ts) before the bytes that complete it are
// released, and timeouts, upstream failures and a client that leaves each end the exchange cleanly.

export const BUDGET_WARNING_HEADER = "apikey-budget-warning";

type StoredEvent = Omit<UsageEvent, "id">;

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  headers: OutgoingHttpHeaders;
  /** The request body when it was read to check it; otherwise the request streams through. */
  body: Buffer | null;
  grant: Grant;
  /** The normalised upstream target (path and query). */
  target: string;
  /**
   * A 401 is not passed on but reported as outcome "unauthorized-held", so the caller can re-mint and send the
   * request again (minted-retry.ts). Only for a request whose body is in hand.
   */
  holdUnauthorized?: boolean;
}

export interface ForwardContext {
  upstream: Upstream;
  recorder: UsageRecorder;
  /** A usage event was committed for this grant. */
  onRecorded(grant: Grant, event: StoredEvent): void;
  onWarning(line: string): void;
  closing(): boolean;
}

export interface ForwardOutcome {
  outcome: string;
  status: number;
  event: StoredEvent | null;
}

export function forward(x: Exchange, ctx: ForwardContext): Promise<ForwardOutcome> {
  return new Promise((done) => {
    const call = new UpstreamCall(x, ctx, done);
    // The client went away before the response ended: stop the upstream call, keep whatever usage it reported.
    x.res.on("close", () => call.clientClosed());
    ctx.upstream.pool.dispatch(
      {
        method: x.req.method as Dispatcher.HttpMethod,
        path: ctx.upstream.prefix + x.target,
        headers: x.headers as IncomingHttpHeaders,
        body: x.body ?? bodyOf(x.req),
      },
      call,
    );
  });
}

/**
 * What to send upstream as the request body. Usually the whole body has already arrived with the headers (our
 * server parses a small request in one go): it is then taken as one buffer, which spares undici's stream
 * machinery, a write per chunk and several turns of the event loop. Node's server stops reading a socket once
 * 16 KiB wait unread, so a body found whole here is at most that plus one socket read; a body still arriving
 * streams through.
 */
function bodyOf(req: IncomingMessage): Buffer | IncomingMessage | null {
  const length = req.headers["content-length"];
  const chunked = req.headers["transfer-encoding"] !== undefined;
  // Whole: the parser said so, or (as usual when the handler reaches here within the turn that read the headers,
  // before the parser has signalled the end) every byte Content-Length announced is already buffered.
  const whole = req.complete || (!chunked && length !== undefined && req.readableLength === Number(length));
  if (whole && req.readableFlowing === null) return (req.read() as Buffer | null) ?? null;
  // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 §6.3): nothing to stream.
  return chunked || (length !== undefined && length !== "0") ? req : null;
}

/** undici's handler for one exchange: its callbacks drive the client's response. */
class UpstreamCall implements Dispatcher.DispatchHandler {
  readonly #x: Exchange;
  readonly #ctx: ForwardContext;
  readonly #done: (outcome: ForwardOutcome) => void;
  #controller: Dispatcher.DispatchController | null = null;
  #finished = false;
  #streaming = false;
  /** Set for a POST's response: its usage is read (by #tap, made when its first bytes arrive). */
  #tapOptions: TapOptions | null = null;
  #tap: UsageTap | null = null;
  #relay: Relay | null = null;
  #recording: Promise<StoredEvent | null> | null = null;
  #status = 0;
  #requestId: string | null = null;
  /** A 401 held back from the client (Exchange.holdUnauthorized): its body is drained, not relayed. */
  #held = false;

  constructor(x: Exchange, ctx: ForwardContext, done: (outcome: ForwardOutcome) => void) {
    this.#x = x;
    this.#ctx = ctx;
    this.#done = done;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // The client left while the connection was being made.
    if (this.#finished) controller.abort(new Error("client closed"));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200 || this.#finished) return;
    const { req, res, grant } = this.#x;
    this.#status = statusCode;
    if (statusCode === 401 && this.#x.holdUnauthorized) {
      this.#held = true;
      return;
    }
    const contentType = headers["content-type"];
    this.#streaming = (contentType ?? "").toLowerCase().startsWith("text/event-stream");
    const requestId = headers["request-id"];
    this.#requestId = typeof requestId === "string" ? requestId : null;
    const out = responseHeaders(headers);
    if (grant.warning !== null) out[BUDGET_WARNING_HEADER] = grant.warning;
    if (this.#ctx.closing()) out.connection = "close";
    res.writeHead(statusCode, out);
    if (req.method === "POST") {
      const length = headers["content-length"];
      this.#tapOptions = { contentType, contentLength: length === undefined ? undefined : Number(length) };
    }
    this.#relay = new Relay(res, () => this.#record());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#finished || this.#relay === null) return;
    if (this.#tapOptions === null) {
      this.#relay.push(controller, chunk, false);
      return;
    }
    // The first byte of a stream goes out before the usage reader is set up and reads it, unless that chunk could
    // end the stream (then it is held until its usage is recorded, as any completing chunk is).
    const first = this.#tap === null;
    if (first && this.#streaming && !firstChunkMayEndStream(chunk)) {
      this.#relay.push(controller, chunk, false);
      this.#openTap().push(chunk);
      return;
    }
    const tap = first ? this.#openTap() : (this.#tap as UsageTap);
    this.#relay.push(controller, chunk, tap.push(chunk));
  }

  #openTap(): UsageTap {
    this.#tap ??= createUsageTap(this.#tapOptions as TapOptions);
    return this.#tap;
  }

  onResponseEnd(): void {
    if (this.#finished) return;
    if (this.#held) {
      this.#finish("unauthorized-held");
      return;
    }
    void this.#record().then(() => {
      this.#x.res.end();
      this.#finish("ok");
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.#finished) return;
    const { res } = this.#x;
    // A held 401 whose body then failed: the status is all the caller needs.
    if (this.#held) {
      this.#finish("unauthorized-held");
      return;
    }
    // The client left and took its request body with it: undici saw that first.
    if (res.destroyed || res.socket?.destroyed) {
      this.clientClosed();
      return;
    }
    const { timeouts } = this.#ctx.upstream;
    const phase = timeoutPhase(err);
    if (phase !== null) {
      const refusal =
        phase === "connect"
          ? refuse.connectTimeout(timeouts.connectMs)
          : refuse.silenceTimeout(timeouts.silenceMs);
      if (!res.headersSent) {
        this.#status = refusal.status;
        sendRefusal(res, refusal);
      } else if (this.#streaming) {
        // Mid-stream: end it the way the API reports a failure in a stream, so clients raise an error instead of
        // taking a cut stream for a finished one.
        res.end(
          `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: refusal.type, message: refusal.message } })}\n\n`,
        );
      } else {
        res.destroy();
      }
      void this.#record();
      this.#finish("upstream-timeout");
      return;
    }
    if (!res.headersSent) {
      const refusal = refuse.upstreamUnreachable(failureCode(err));
      this.#status = refusal.status;
      sendRefusal(res, refusal);
      void this.#record();
      this.#finish("upstream-error");
      return;
    }
    res.destroy();
    void this.#record();
    this.#finish("upstream-aborted");
  }

  clientClosed(): void {
    if (this.#x.res.writableFinished || this.#finished) return;
    // Before the connection was made there is nothing to abort yet; onRequestStart does it.
    this.#controller?.abort(new Error("client closed"));
    void this.#record();
    this.#finish("client-closed");
  }

  #record(): Promise<StoredEvent | null> {
    if (this.#recording) return this.#recording;
    const usage = this.#tap?.result() ?? null;
    if (!usage) {
      this.#recording = Promise.resolve(null);
      return this.#recording;
    }
    const { grant } = this.#x;
    if (usage.refused) {
      this.#ctx.onWarning(
        `warning: usage refused for key ${grant.key.name}: ${usage.refused}; recorded with no tokens and no cost`,
      );
    }
    this.#recording = this.#ctx.recorder
      .record({
        keyId: grant.key.keyId,
        tokenId: grant.token.id,
        ...usage,
        requestId: this.#requestId,
        front: "gateway",
      })
      .then((event) => {
        if (event) this.#ctx.onRecorded(grant, event);
        return event;
      });
    return this.#recording;
  }

  #finish(outcome: string): void {
    if (this.#finished) return;
    this.#finished = true;
    const status = this.#status;
    void (this.#recording ?? Promise.resolve(null)).then((event) => this.#done({ outcome, status, event }));
  }
}
