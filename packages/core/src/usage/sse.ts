import { type CounterField, refusalReason, tokenCount } from "./counts.ts";

// Usage from Messages API responses, streamed or not. The stream parser is incremental: it keeps only the
// current unfinished line, so a long stream is never buffered whole.

export interface MeteredUsage {
  model: string | null;
  messageId: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  /** Saw `message_stop` (streams) or a whole message (JSON). */
  complete: boolean;
  /** An `error` event or error body. */
  error: { type: string; message: string } | null;
  /** Why the figures cannot be believed (a count out of range, see counts.ts); null when they can. */
  refused: string | null;
}

export interface UsageMeter {
  /** Feed the next bytes of an `text/event-stream` body. */
  push(chunk: Uint8Array | string): void;
  /** Flush what is left and return the usage seen. */
  end(): MeteredUsage;
  readonly usage: MeteredUsage;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

export function emptyUsage(): MeteredUsage {
  return {
    model: null,
    messageId: null,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    complete: false,
    error: null,
    refused: null,
  };
}

// Every field the API reports is a running total, so the latest value wins; fields absent from an event keep theirs.
// A figure out of range is not taken, and marks the whole usage as refused.
function applyUsage(target: MeteredUsage, usage: Json | undefined): void {
  if (!usage) return;
  const take = (field: CounterField, current: number): number => {
    const n = tokenCount(usage[field]);
    if (n === "absent") return current;
    if (n === "invalid") {
      target.refused ??= refusalReason(field);
      return current;
    }
    return n;
  };
  target.inputTokens = take("input_tokens", target.inputTokens);
  target.outputTokens = take("output_tokens", target.outputTokens);
  target.cacheCreationTokens = take("cache_creation_input_tokens", target.cacheCreationTokens);
  target.cacheReadTokens = take("cache_read_input_tokens", target.cacheReadTokens);
}

function applyError(target: MeteredUsage, body: Json): void {
  const error = obj(body.error);
  target.error = {
    type: typeof error?.type === "string" ? error.type : "api_error",
    message: typeof error?.message === "string" ? error.message : "",
  };
}

/** Usage of a non-streamed response body (a Message, or an error). */
export function usageFromJson(body: unknown): MeteredUsage {
  const out = emptyUsage();
  const json = obj(body);
  if (!json) return out;
  if (json.type === "error") {
    applyError(out, json);
    return out;
  }
  if (typeof json.model === "string") out.model = json.model;
  if (typeof json.id === "string") out.messageId = json.id;
  applyUsage(out, obj(json.usage));
  out.complete = json.type === "message";
  return out;
}

// Events that carry usage or end the stream; content deltas (the bulk of a stream) are not parsed.
const INTERESTING = new Set(["message_start", "message_delta", "message_stop", "error"]);

export function createUsageMeter(): UsageMeter {
  const usage = emptyUsage();
  const decoder = new TextDecoder();
  let partial = "";
  let eventName = "";
  let data = "";

  function dispatch(): void {
    const name = eventName;
    const payload = data;
    eventName = "";
    data = "";
    if (payload === "" || (name !== "" && !INTERESTING.has(name))) return;
    let json: Json | undefined;
    try {
      json = obj(JSON.parse(payload));
    } catch {
      return;
    }
    if (!json) return;
    const type = typeof json.type === "string" ? json.type : name;
    if (type === "message_start") {
      const message = obj(json.message);
      if (typeof message?.model === "string") usage.model = message.model;
      if (typeof message?.id === "string") usage.messageId = message.id;
      applyUsage(usage, obj(message?.usage));
    } else if (type === "message_delta") {
      applyUsage(usage, obj(json.usage));
    } else if (type === "message_stop") {
      usage.complete = true;
    } else if (type === "error") {
      applyError(usage, json);
    }
  }

  function line(text: string): void {
    if (text === "") {
      dispatch();
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") eventName = value;
    else if (field === "data") data = data === "" ? value : `${data}\n${value}`;
  }

  function feed(text: string): void {
    partial += text;
    let start = 0;
    for (;;) {
      const nl = partial.indexOf("\n", start);
      if (nl === -1) break;
      const end = nl > start && partial.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      line(partial.slice(start, end));
      start = nl + 1;
    }
    partial = partial.slice(start);
  }

  return {
    usage,
    push(chunk) {
      feed(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    },
    end() {
      feed(decoder.decode());
      if (partial !== "") {
        line(partial);
        partial = "";
      }
      dispatch();
      return usage;
    },
  };
}
