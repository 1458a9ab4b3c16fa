import type { UsageEvent } from "@apikey/core";

// The gateway's one line per request. Names and figures only: never a token, a key or a body.

export function requestLine(
  method: string | undefined,
  path: string,
  outcome: string,
  status: number,
  started: number,
  names: { key: string; token: string },
  event: Omit<UsageEvent, "id"> | null,
): string {
  const ms = (performance.now() - started).toFixed(1);
  const tokens = event
    ? ` ${event.model} in=${event.inputTokens} out=${event.outputTokens}` +
      (event.cacheReadTokens + event.cacheCreationTokens > 0
        ? ` cache=${event.cacheCreationTokens}w/${event.cacheReadTokens}r`
        : "") +
      (event.costUsd !== null ? ` $${event.costUsd.toFixed(4)}` : "")
    : "";
  return `${method} ${path} ${outcome}${status ? ` ${status}` : ""} ${ms}ms token=${names.token} key=${names.key}${tokens}`;
}
