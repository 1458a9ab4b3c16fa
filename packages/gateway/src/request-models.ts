import type { IncomingMessage } from "node:http";

// The models a request asks for, for tokens limited to some models. Only those requests are read whole before
// forwarding (every other body streams through untouched). A Message names its `model`; a batch names one per
// request in `requests[].params.model`, and each must be allowed.

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

/** Every model id the JSON body names; [] when it is not JSON or names none. */
export function requestedModels(body: Buffer): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString("utf8"));
  } catch {
    return [];
  }
  if (!isObject(doc)) return [];
  const models: string[] = [];
  if (typeof doc.model === "string") models.push(doc.model);
  if (Array.isArray(doc.requests)) {
    for (const r of doc.requests) {
      const model = isObject(r) && isObject(r.params) ? r.params.model : undefined;
      // A batch entry without a model cannot be checked: refuse the batch by naming an impossible model.
      models.push(typeof model === "string" ? model : "");
    }
  }
  return models;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
