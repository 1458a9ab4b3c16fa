import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { UsageEvent } from "@apikey/core";
import type { Grant } from "./admission.ts";
import { sendRefusal } from "./anthropic-error.ts";
import { responseHeadersForClient as responseHeaders } from "./headers.ts";
import { refuse } from "./messages.ts";
import type { UsageRecorder } from "./recorder.ts";
import { relay } from "./relay.ts";
import type { Upstream } from "./upstream.ts";
import { upstreamTimer } from "./upstream-timer.ts";
import { createUsageTap, type TappedUsage } from "./usage-tap.ts";

// One admitted request's trip upstream and back: the response streams to the client as it arrives, its usage is
// tapped on the way and committed before the bytes that complete it are released, and timeouts, upstream
// failures and a client that leaves each end the exchange cleanly.

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
    const { req, res, grant } = x;
    const { upstream } = ctx;
    let finished = false;
    // Which timeout ended the exchange, if one did: the upstream's events after that are only its teardown.
    let timedOut: "connect" | "silence" | null = null;
    let streaming = false;
    let tapped: (() => TappedUsage | null) | null = null;
    let recording: Promise<StoredEvent | null> | null = null;
    let status = 0;
    let upstreamRequestId: string | string[] | undefined;

    const record = (): Promise<StoredEvent | null> => {
      if (recording) return recording;
      const usage = tapped?.() ?? null;
      if (!usage) {
        recording = Promise.resolve(null);
        return recording;
      }
      if (usage.refused) {
        ctx.onWarning(
          `warning: usage refused for key ${grant.key.name}: ${usage.refused}; recorded with no tokens and no cost`,
        );
      }
      recording = ctx.recorder
        .record({
          keyId: grant.key.keyId,
          tokenId: grant.token.id,
          ...usage,
          requestId: typeof upstreamRequestId === "string" ? upstreamRequestId : null,
          front: "gateway",
        })
        .then((event) => {
          if (event) ctx.onRecorded(grant, event);
          return event;
        });
      return recording;
    };

    const finish = (outcome: string) => {
      if (finished) return;
      finished = true;
      void (recording ?? Promise.resolve(null)).then((event) => done({ outcome, status, event }));
    };

    const upReq = upstream.request({
      agent: upstream.agent,
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: upstream.prefix + x.target,
      headers: x.headers,
    });
    upReq.setNoDelay?.(true);

    const timer = upstreamTimer(upReq, upstream.secure, upstream.timeouts, (phase) => {
      timedOut = phase;
      const refusal =
        phase === "connect"
          ? refuse.connectTimeout(upstream.timeouts.connectMs)
          : refuse.silenceTimeout(upstream.timeouts.silenceMs);
      if (!res.headersSent) {
        status = refusal.status;
        sendRefusal(res, refusal);
      } else if (streaming) {
        // Mid-stream: end it the way the API reports a failure in a stream, so clients raise an error instead of
        // taking a cut stream for a finished one.
        res.end(
          `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: refusal.type, message: refusal.message } })}\n\n`,
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
        const refusal = refuse.upstreamUnreachable(err.code ?? "error");
        status = refusal.status;
        sendRefusal(res, refusal);
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
      const contentType = upRes.headers["content-type"];
      streaming = (contentType ?? "").toLowerCase().startsWith("text/event-stream");
      upstreamRequestId = upRes.headers["request-id"];
      const out = responseHeaders(upRes.headers);
      if (grant.warning !== null) out[BUDGET_WARNING_HEADER] = grant.warning;
      if (ctx.closing()) out.connection = "close";
      res.writeHead(status, out);
      if (req.method === "POST") {
        const lengthHeader = upRes.headers["content-length"];
        const tap = createUsageTap({
          contentType,
          contentLength: lengthHeader === undefined ? undefined : Number(lengthHeader),
        });
        tapped = tap.result;
        relay(upRes, res, (chunk) => tap.push(chunk), record, timer);
      } else {
        relay(upRes, res, () => false, record, timer);
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
    if (x.body) upReq.end(x.body);
    else req.pipe(upReq);
  });
}
