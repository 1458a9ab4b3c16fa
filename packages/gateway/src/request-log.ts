import type { UsageEvent } from "@apikey/core";
import { escapeControl, formatUsd } from "@apikey/core";

// The gateway's one line per request. Names and figures only: never a token, a key or a body. Some of it comes
// from outside (the path a client sent, the model an upstream reported, names people chose): such a value is a
// single field, quoted when it holds anything but plain characters, and every line leaves the gateway through
// `logSink`, which escapes control characters, so nothing outside can end a line, fake one, or steer a terminal.

/** A value from outside as one field of a line: bare when it is plain printable ASCII, else JSON-quoted. */
export function field(value: string): string {
  return /^[\x21-\x7e]+$/.test(value) && !value.includes('"') ? value : JSON.stringify(value);
}

/** Where the gateway's lines go: `sink`, one escaped line at a time (none when there is no sink). */
export function logSink(sink: ((line: string) => void) | undefined): (line: string) => void {
  return sink ? (line) => sink(escapeControl(line)) : () => {};
}

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
    ? ` ${field(event.model)} in=${event.inputTokens} out=${event.outputTokens}` +
      (event.cacheReadTokens + event.cacheCreationTokens > 0
        ? ` cache=${event.cacheCreationTokens}w/${event.cacheReadTokens}r`
        : "") +
      (event.costUsd !== null ? ` ${formatUsd(event.costUsd, 4)}` : "")
    : "";
  return `${method} ${field(path)} ${outcome}${status ? ` ${status}` : ""} ${ms}ms token=${field(names.token)} key=${field(names.key)}${tokens}`;
}
