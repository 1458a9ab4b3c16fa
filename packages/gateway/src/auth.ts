import type { IncomingHttpHeaders } from "node:http";

// Clients prove they may use the gateway with their gateway token, sent where an Anthropic client sends its key.

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
