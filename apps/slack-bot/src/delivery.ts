import { createHash, createHmac, timingSafeEqual } from "node:crypto";

// Bolt checks a signature by splitting x-slack-signature at "=" and reading the timestamp with Number(), so one
// signed request has many spellings that verify ("v0=<hex>=", "v0=<hex>=x", "+ts", "ts.0", "0x…", "tse0"). A
// replay guard keyed on the header text lets each spelling run the command again. Here a request is taken only
// in the one form Slack sends, and it is named by what was verified: the timestamp as a number and the digest.
// Pure: the caller supplies the clock.

/** Exactly what Slack sends: version v0 and a lowercase hex SHA-256 HMAC. */
const SIGNATURE_FORM = /^v0=([0-9a-f]{64})$/;
/** Whole seconds in decimal: no sign, no leading zero, no fraction, exponent, radix prefix or whitespace. */
const TIMESTAMP_FORM = /^[1-9][0-9]{0,10}$/;

/** Bolt refuses older requests; nothing in Bolt refuses future ones, which would outlive the replay memory. */
export const MAX_AGE_S = 5 * 60;
export const MAX_FUTURE_S = 5 * 60;

export type DeliveryRefusal =
  | "signature-missing"
  | "signature-form"
  | "timestamp-missing"
  | "timestamp-form"
  | "timestamp-stale"
  | "timestamp-future"
  | "signature-mismatch";

export type DeliveryCheck =
  | { ok: true; timestamp: number; digest: string; name: string }
  | { ok: false; reason: DeliveryRefusal };

type Headers = Record<string, string | string[] | undefined>;

/**
 * Checks a request's signature headers in their canonical form and the HMAC over `v0:{ts}:{body}`, in constant
 * time. A header sent twice arrives joined (or as an array) and is refused like any other spelling.
 */
export function checkDelivery(input: {
  headers: Headers;
  body: string;
  signingSecret: string;
  nowMs: number;
}): DeliveryCheck {
  const sig = input.headers["x-slack-signature"];
  const ts = input.headers["x-slack-request-timestamp"];
  if (sig === undefined) return { ok: false, reason: "signature-missing" };
  if (ts === undefined) return { ok: false, reason: "timestamp-missing" };
  const digest = typeof sig === "string" ? SIGNATURE_FORM.exec(sig)?.[1] : undefined;
  if (digest === undefined) return { ok: false, reason: "signature-form" };
  if (typeof ts !== "string" || !TIMESTAMP_FORM.test(ts)) return { ok: false, reason: "timestamp-form" };
  const timestamp = Number(ts);
  const nowS = Math.floor(input.nowMs / 1000);
  if (timestamp < nowS - MAX_AGE_S) return { ok: false, reason: "timestamp-stale" };
  if (timestamp > nowS + MAX_FUTURE_S) return { ok: false, reason: "timestamp-future" };
  const expected = createHmac("sha256", input.signingSecret).update(`v0:${timestamp}:${input.body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(digest, "hex")))
    return { ok: false, reason: "signature-mismatch" };
  return { ok: true, timestamp, digest, name: httpDeliveryName(timestamp, digest) };
}

/** The boolean twin, for callers that only need the verdict. */
export const isCanonicalDelivery = (input: Parameters<typeof checkDelivery>[0]): boolean =>
  checkDelivery(input).ok;

/** A delivery's name from what was verified; the same (timestamp, digest) always gives the same name. */
export function httpDeliveryName(timestamp: number, digest: string): string {
  return `http:${createHash("sha256").update(`${timestamp}:${digest.toLowerCase()}`).digest("hex")}`;
}

// Slack's envelope ids are UUIDs; anything else is not an id Slack sent, and names nothing (so it is dropped).
const ENVELOPE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Ids Slack has used in other shapes stay accepted when short and plain, compared as written.
const OTHER_ENVELOPE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Socket Mode has no signature (the connection is authenticated): the envelope id names the delivery. */
export function socketDeliveryName(envelopeId: unknown): string | undefined {
  if (typeof envelopeId !== "string") return undefined;
  const lower = envelopeId.toLowerCase();
  if (ENVELOPE_ID.test(lower)) return `socket:${lower}`;
  return OTHER_ENVELOPE_ID.test(envelopeId) ? `socket:${envelopeId}` : undefined;
}
