import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

// Local clients prove they may use the gateway with its token, sent where an Anthropic client sends its key.

export type AuthScheme = "x-api-key" | "bearer";

export interface PresentedCredential {
  scheme: AuthScheme;
  value: string;
}

/** The credential a client sent: `x-api-key` first (as the API itself prefers), else `Authorization: Bearer`. */
export function presentedCredential(headers: IncomingHttpHeaders): PresentedCredential | null {
  const apiKey = headers["x-api-key"];
  if (typeof apiKey === "string" && apiKey !== "") return { scheme: "x-api-key", value: apiKey };
  const auth = headers.authorization;
  if (typeof auth === "string" && auth.length > 7 && auth.slice(0, 7).toLowerCase() === "bearer ") {
    const value = auth.slice(7).trim();
    if (value !== "") return { scheme: "bearer", value };
  }
  return null;
}

export class GatewayAuthError extends Error {
  override readonly name = "GatewayAuthError";
  readonly code: "missing" | "invalid";
  constructor(code: "missing" | "invalid") {
    super(code === "missing" ? "No gateway token was sent." : "The gateway token is not valid.");
    this.code = code;
  }
}

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/**
 * A checker bound to one token. Both sides are hashed first so `timingSafeEqual` always compares equal lengths
 * and the time taken says nothing about the token, not even its length.
 */
export function tokenChecker(token: string) {
  const expected = digest(token);
  const isValid = (presented: string | null | undefined): boolean =>
    typeof presented === "string" && presented !== "" && timingSafeEqual(digest(presented), expected);
  return {
    isValid,
    /** Throws GatewayAuthError unless `presented` is the token. */
    verify(presented: string | null | undefined): void {
      if (presented === null || presented === undefined || presented === "")
        throw new GatewayAuthError("missing");
      if (!isValid(presented)) throw new GatewayAuthError("invalid");
    },
  };
}

export type TokenChecker = ReturnType<typeof tokenChecker>;
