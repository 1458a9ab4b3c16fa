import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { type HTTPReceiver, isValidSlackRequest, type Logger } from "@slack/bolt";
import { checkDelivery } from "./delivery.ts";
import type { OnRefusal } from "./guards.ts";
import { checkPayload, claimedActor, parseSlackBody } from "./payload.ts";

// The HTTP receiver's front door. Before Bolt sees a request to the events endpoint it must be signed in the one
// form Slack uses (delivery.ts), be UTF-8 JSON or form data, and fit what the bot accepts (payload.ts). Anything
// else is answered here (401, 400, 413) and never reaches a listener: Bolt itself reads a signed `payload=null`
// as a body and crashes the process on it, and takes many spellings of one signature. Bolt then verifies the same
// request again from the buffered body. Log lines name the reason only, never a header's or the body's text.

const verified = new WeakMap<IncomingMessage, string>();

/** The name of a delivery the front door verified: its canonical timestamp and digest. */
export const verifiedDeliveryName = (req: IncomingMessage): string | undefined => verified.get(req);

export interface IntakeOptions {
  signingSecret: string;
  bodyLimit: number;
  now: () => number;
  logger: Logger;
  onRefusal: OnRefusal;
  endpoint?: string;
}

const FORM = "application/x-www-form-urlencoded";
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function guardHttpReceiver(receiver: HTTPReceiver, options: IntakeOptions): void {
  const endpoint = options.endpoint ?? "/slack/events";
  const bolt = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    let ours = false;
    try {
      ours =
        req.method?.toUpperCase() === "POST" &&
        new URL(req.url ?? "/", "http://localhost").pathname === endpoint;
    } catch {
      ours = false;
    }
    if (!ours) return bolt(req, res);
    admit(req, res, options).then(
      (admitted) => {
        if (admitted) bolt(req, res);
      },
      () => answer(res, 500),
    );
  };
}

function answer(res: ServerResponse, status: number): false {
  if (!res.headersSent) {
    // A body left unread (too large) ends the connection, so nothing of it is taken for a next request.
    res.writeHead(status, status === 413 ? { connection: "close" } : {});
    res.end();
  }
  return false;
}

async function admit(req: IncomingMessage, res: ServerResponse, options: IntakeOptions): Promise<boolean> {
  const { logger } = options;
  const raw = await readBody(req, options.bodyLimit);
  if (raw === "too-large") {
    logger.warn(`refused an HTTP delivery: body over ${options.bodyLimit} bytes`);
    return answer(res, 413);
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    logger.warn("refused an HTTP delivery: body is not UTF-8");
    return answer(res, 400);
  }
  const contentType = req.headers["content-type"];
  // Slack's SSL check is unsigned; like Bolt, answer it without reading anything else of the request.
  if (contentType === FORM && parseQuery(text).ssl_check === "1") return answer(res, 200);

  const delivery = checkDelivery({
    headers: req.headers,
    body: text,
    signingSecret: options.signingSecret,
    nowMs: options.now(),
  });
  if (!delivery.ok) {
    // A request Bolt would have taken is a captured, authentic one sent again in another spelling: a replay
    // attempt, audited as such. Anything else is noise and only logged.
    const authentic = delivery.reason !== "signature-mismatch" && boltWouldAccept(req, text, options);
    logger.warn(
      `refused an HTTP delivery: ${delivery.reason}${authentic ? " (authentic request re-spelled)" : ""}`,
    );
    if (authentic) await refuse(options, safeBody(text, contentType), "delivery");
    return answer(res, 401);
  }

  let body: unknown;
  try {
    body = parseSlackBody(text, typeof contentType === "string" ? contentType : undefined);
  } catch {
    logger.warn("refused an HTTP delivery: malformed body");
    return answer(res, 400);
  }
  const payload = checkPayload(body);
  if (!payload.ok) {
    logger.warn(`refused an HTTP delivery: payload ${payload.reason}`);
    await refuse(options, body, "payload");
    return answer(res, 400);
  }
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
  verified.set(req, delivery.name);
  return true;
}

function boltWouldAccept(req: IncomingMessage, text: string, options: IntakeOptions): boolean {
  const sig = req.headers["x-slack-signature"];
  const ts = req.headers["x-slack-request-timestamp"];
  if (typeof sig !== "string" || typeof ts !== "string") return false;
  return isValidSlackRequest({
    signingSecret: options.signingSecret,
    body: text,
    headers: { "x-slack-signature": sig, "x-slack-request-timestamp": Number(ts) },
    nowMilliseconds: options.now(),
  });
}

function safeBody(text: string, contentType: string | string[] | undefined): unknown {
  try {
    return parseSlackBody(text, typeof contentType === "string" ? contentType : undefined);
  } catch {
    return undefined;
  }
}

async function refuse(options: IntakeOptions, body: unknown, reason: "delivery" | "payload"): Promise<void> {
  try {
    await options.onRefusal({ actor: claimedActor(body), reason, where: "http" });
  } catch {
    options.logger.warn(`could not record a refused delivery (${reason})`);
  }
}

/** The whole body, or "too-large" as soon as it passes the limit (Node discards the rest after the answer). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  if (Number(req.headers["content-length"]) > limit) return Promise.resolve("too-large");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        chunks.length = 0;
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
