import { StringDecoder } from "node:string_decoder";
import { type CounterField, refusalReason, tokenCount } from "@apikey/core/usage";

// Watches a response's bytes as they pass through, without changing or holding them, and pulls out the usage
// the Messages API reports: the top-level `usage` + `model` of a JSON body, or, in a server-sent event stream,
// the input side from `message_start.message.usage` and the output from the LAST `message_delta.usage`
// (cumulative, so the last value wins; summing them would over-count).

export interface TappedUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  /** Why the figures cannot be believed (a count out of range); they are then recorded as 0 with no cost. */
  refused: string | null;
}

export interface UsageTap {
  /**
   * Looks at one chunk. Returns true when this chunk completes the response for a client (the last bytes of a
   * sized JSON body, or the chunk that ends a stream's `message_stop` event): the caller records usage before
   * releasing it, so a client that has seen a complete response can rely on its usage being stored.
   */
  push(chunk: Buffer): boolean;
  /** The usage seen so far (complete after the last chunk); null when the body carries none. */
  result(): TappedUsage | null;
}

export interface TapOptions {
  contentType: string | undefined;
  contentLength: number | undefined;
  /** JSON bodies larger than this are passed through unparsed (no usage is worth holding megabytes for). */
  maxJsonBytes?: number;
  /** An SSE line longer than this stops parsing (a malformed or hostile stream must not grow memory). */
  maxSseLineBytes?: number;
}

const DEFAULT_MAX_JSON = 4 << 20;
const DEFAULT_MAX_SSE_LINE = 4 << 20;

export function createUsageTap(options: TapOptions): UsageTap {
  const type = (options.contentType ?? "").toLowerCase();
  if (type.startsWith("text/event-stream")) return sseTap(options.maxSseLineBytes ?? DEFAULT_MAX_SSE_LINE);
  if (type.includes("json")) return jsonTap(options.contentLength, options.maxJsonBytes ?? DEFAULT_MAX_JSON);
  return NO_TAP;
}

const NO_TAP: UsageTap = { push: () => false, result: () => null };

function jsonTap(contentLength: number | undefined, max: number): UsageTap {
  let chunks: Buffer[] | null = contentLength !== undefined && contentLength > max ? null : [];
  let seen = 0;
  let parsed: TappedUsage | null | undefined;
  return {
    push(chunk) {
      seen += chunk.length;
      if (chunks) {
        if (seen > max) chunks = null;
        else chunks.push(chunk);
      }
      return contentLength !== undefined && seen >= contentLength;
    },
    result() {
      if (parsed !== undefined) return parsed;
      parsed = chunks ? usageFromJsonBody(Buffer.concat(chunks)) : null;
      chunks = null;
      return parsed;
    },
  };
}

export function usageFromJsonBody(body: Buffer): TappedUsage | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  if (!isObject(doc) || !isObject(doc.usage)) return null;
  const usage = emptyUsage(typeof doc.model === "string" ? doc.model : "unknown");
  applyCounts(usage, doc.usage);
  return usage;
}

function emptyUsage(model: string): TappedUsage {
  return {
    model,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    refused: null,
  };
}

// Every counter is cumulative, so a present field replaces the figure; an absent or null one keeps it (newer API
// versions repeat the input side in message_delta, older ones do not). A figure out of range is not taken and
// marks the usage refused.
function applyCounts(usage: TappedUsage, u: Record<string, unknown>): void {
  const take = (field: CounterField, current: number): number => {
    const n = tokenCount(u[field]);
    if (n === "absent") return current;
    if (n === "invalid") {
      usage.refused ??= refusalReason(field);
      return current;
    }
    return n;
  };
  usage.inputTokens = take("input_tokens", usage.inputTokens);
  usage.outputTokens = take("output_tokens", usage.outputTokens);
  usage.cacheCreationTokens = take("cache_creation_input_tokens", usage.cacheCreationTokens);
  usage.cacheReadTokens = take("cache_read_input_tokens", usage.cacheReadTokens);
}

/** Incremental SSE parsing per the WHATWG event-stream rules, keeping only the events that carry usage. */
function sseTap(maxLine: number): UsageTap {
  const decoder = new StringDecoder("utf8");
  let partial = "";
  let eventName = "";
  let data: string[] = [];
  let usage: TappedUsage | null = null;
  let broken = false;

  // Events named in `event:` lines let us skip the many content deltas without parsing their JSON.
  const wanted = (name: string) => name === "" || name.startsWith("message_");

  /** Returns true when the dispatched event is `message_stop`. */
  function dispatch(): boolean {
    const name = eventName;
    const payload = data.join("\n");
    eventName = "";
    data = [];
    if (!wanted(name) || payload === "") return false;
    let doc: unknown;
    try {
      doc = JSON.parse(payload);
    } catch {
      return false;
    }
    if (!isObject(doc)) return false;
    const type = typeof doc.type === "string" ? doc.type : name;
    if (type === "message_start" && isObject(doc.message)) {
      const m = doc.message;
      usage = emptyUsage(typeof m.model === "string" ? m.model : "unknown");
      if (isObject(m.usage)) applyCounts(usage, m.usage);
    } else if (type === "message_delta" && isObject(doc.usage)) {
      usage ??= emptyUsage("unknown");
      applyCounts(usage, doc.usage);
    }
    return type === "message_stop";
  }

  function line(text: string): boolean {
    if (text === "") return dispatch();
    if (text.charCodeAt(0) === 58 /* ":" comment */) return false;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "event") eventName = value;
    else if (field === "data" && wanted(eventName)) data.push(value);
    return false;
  }

  return {
    push(chunk) {
      if (broken) return false;
      const text = partial + decoder.write(chunk);
      let start = 0;
      let stop = false;
      for (;;) {
        const nl = nextNewline(text, start);
        // A CR at the very end may be half of a CRLF split across chunks: wait for the next byte.
        if (nl === -1 || (nl === text.length - 1 && text.charCodeAt(nl) === 13)) break;
        if (line(text.slice(start, nl))) stop = true;
        // "\r\n" counts as one line ending.
        start = text.charCodeAt(nl) === 13 && text.charCodeAt(nl + 1) === 10 ? nl + 2 : nl + 1;
      }
      partial = text.slice(start);
      if (partial.length > maxLine) {
        broken = true;
        partial = "";
        data = [];
      }
      return stop;
    },
    result: () => usage,
  };
}

function nextNewline(text: string, from: number): number {
  const lf = text.indexOf("\n", from);
  const cr = text.indexOf("\r", from);
  if (cr === -1) return lf;
  if (lf === -1) return cr;
  return Math.min(lf, cr);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
