import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Refusal } from "./messages.ts";

// Errors the gateway itself answers, in the API's own shape so every Anthropic client reports them as it would
// the API's: `{"type":"error","error":{"type","message"},"request_id"}`.

export function gatewayRequestId(): string {
  return `req_apikeygw_${randomBytes(12).toString("base64url")}`;
}

export function sendAnthropicError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const requestId = gatewayRequestId();
  const body = JSON.stringify({ type: "error", error: { type, message }, request_id: requestId });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "request-id": requestId,
    ...headers,
  });
  res.end(body);
}

export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  sendAnthropicError(res, refusal.status, refusal.type, refusal.message, refusal.headers);
}
