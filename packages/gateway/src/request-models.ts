import type { IncomingMessage } from "node:http";
import { parseStrictJson } from "./strict-json.ts";

// The models a request asks for, for tokens limited to some models. Only those requests are read whole before
// forwarding (every other body streams through untouched). A Message or a token count names its `model`; a new
// batch names one per request in `requests[].params.model`, and each must be allowed.

/** The API's own request size limit: a bigger body would be refused upstream anyway. */
export const MAX_CHECKED_BODY_BYTES = 32 << 20;

/** The whole body, or null when it is larger than `max` bytes (reading stops there). */
export function readBody(req: IncomingMessage, max = MAX_CHECKED_BODY_BYTES): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > max) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off("data", onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}

/** The names the gateway reads from a request body: they must not be spelled twice, even loosely. */
export const READ_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "requests",
  "params",
  "max_tokens",
  "stream",
]);

export type RequestedModels = { ok: true; models: string[] } | { ok: false; duplicateKey: string };

/**
 * Every model id the JSON body names where `source` says to look; [] when it is not JSON or names none (the
 * caller refuses that). A body with a key twice is not read at all: see strict-json.ts.
 */
export function requestedModels(body: Buffer, source: "body" | "batch"): RequestedModels {
  const parsed = parseStrictJson(body.toString("utf8"), READ_FIELDS);
  if (!parsed.ok) return parsed.reason === "duplicate_key" ? { ok: false, duplicateKey: parsed.key } : none;
  const doc = parsed.value;
  if (!isObject(doc)) return none;
  if (source === "body") return { ok: true, models: typeof doc.model === "string" ? [doc.model] : [] };
  // A batch: its top-level `model`, if any, is not what runs; each request's is.
  if (!Array.isArray(doc.requests)) return none;
  const models: string[] = [];
  for (const r of doc.requests) {
    const model = isObject(r) && isObject(r.params) ? r.params.model : undefined;
    // A batch entry without a model cannot be checked: refuse the batch by naming an impossible model.
    models.push(typeof model === "string" ? model : "");
  }
  return { ok: true, models };
}

const none: RequestedModels = { ok: true, models: [] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
