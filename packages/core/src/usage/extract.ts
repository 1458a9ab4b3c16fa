import { applyApiCounts, type Counts, ZERO_COUNTS } from "./counts.ts";

// The one reader of usage in Messages API responses, for the gateway (bytes passing through it) and the
// instrumented client (the SDK's response body): the top-level `usage` and `model` of a JSON Message, or, in a
// server-sent event stream, the input side from `message_start.message.usage` and the output from the LAST
// `message_delta.usage` (cumulative: the last value wins; summing them would over-count).
//
// The stream parser is our own rather than a general SSE library: it keeps only the current unfinished line (with
// a cap, so a hostile stream cannot grow memory), and it skips the data of events that carry no usage — the
// content deltas that are nearly every byte of a stream — without building their strings or parsing their JSON.

export interface ExtractedUsage extends Counts {
  model: string | null;
  messageId: string | null;
  /** Saw `message_stop` (streams) or a whole Message (JSON). */
  complete: boolean;
  /** An `error` event or error body. */
  error: { type: string; message: string } | null;
  /** Why the figures cannot be believed (a count out of range, see counts.ts); null when they can. */
  refused: string | null;
  /** The body reported usage at all (a Message, or a stream that reached message_start or message_delta). */
  reported: boolean;
}

export interface UsageExtractor {
  /**
   * Looks at the next bytes, without changing or holding them. Returns true when they complete the response for
   * a client (the last bytes of a sized JSON body, or the chunk that ends a stream's `message_stop` event): a
   * caller that must store the usage before the client sees the end holds that chunk back until it has.
   */
  push(chunk: Uint8Array): boolean;
  /** Flushes what is left and returns the usage seen; null for a body that is neither JSON nor a stream. */
  end(): ExtractedUsage | null;
}

export interface ExtractorOptions {
  contentType: string | null | undefined;
  contentLength?: number | undefined;
  /** JSON bodies larger than this are passed through unparsed (no usage is worth holding megabytes for). */
  maxJsonBytes?: number;
  /** An SSE line longer than this stops parsing (a malformed or hostile stream must not grow memory). */
  maxSseLineBytes?: number;
}

const DEFAULT_MAX_JSON = 4 << 20;
const DEFAULT_MAX_SSE_LINE = 4 << 20;

export function emptyUsage(): ExtractedUsage {
  return {
    model: null,
    messageId: null,
    ...ZERO_COUNTS,
    complete: false,
    error: null,
    refused: null,
    reported: false,
  };
}

export function createUsageExtractor(options: ExtractorOptions): UsageExtractor {
  const type = (options.contentType ?? "").toLowerCase();
  if (type.startsWith("text/event-stream"))
    return sseExtractor(options.maxSseLineBytes ?? DEFAULT_MAX_SSE_LINE);
  if (type.includes("json"))
    return jsonExtractor(options.contentLength, options.maxJsonBytes ?? DEFAULT_MAX_JSON);
  return NONE;
}

const NONE: UsageExtractor = { push: () => false, end: () => null };

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

function applyError(target: ExtractedUsage, body: Json): void {
  const error = obj(body.error);
  target.error = {
    type: typeof error?.type === "string" ? error.type : "api_error",
    message: typeof error?.message === "string" ? error.message : "",
  };
}

/** Usage of a parsed non-streamed response body (a Message, or an error). */
export function usageFromJson(body: unknown): ExtractedUsage {
  const out = emptyUsage();
  const json = obj(body);
  if (!json) return out;
  if (json.type === "error") {
    applyError(out, json);
    return out;
  }
  if (typeof json.model === "string") out.model = json.model;
  if (typeof json.id === "string") out.messageId = json.id;
  const usage = obj(json.usage);
  if (usage) {
    out.reported = true;
    applyApiCounts(out, usage);
  }
  out.complete = json.type === "message";
  return out;
}

function jsonExtractor(contentLength: number | undefined, max: number): UsageExtractor {
  let chunks: Uint8Array[] | null = contentLength !== undefined && contentLength > max ? null : [];
  let seen = 0;
  let result: ExtractedUsage | undefined;
  return {
    push(chunk) {
      seen += chunk.length;
      if (chunks) {
        if (seen > max) chunks = null;
        else chunks.push(chunk);
      }
      return contentLength !== undefined && seen >= contentLength;
    },
    end() {
      if (result) return result;
      let doc: unknown;
      try {
        doc = chunks ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
      } catch {
        doc = undefined;
      }
      chunks = null;
      result = usageFromJson(doc);
      return result;
    },
  };
}

// Events that carry usage or end the stream; with no `event:` line, an event is judged by its data's `type`.
const wanted = (name: string) => name === "" || name.startsWith("message_") || name === "error";

/** Incremental SSE parsing per the WHATWG event-stream rules, keeping only the events that carry usage. */
function sseExtractor(maxLine: number): UsageExtractor {
  const decoder = new TextDecoder();
  const usage = emptyUsage();
  let partial = "";
  let eventName = "";
  let data = "";
  let broken = false;

  /** Returns true when the dispatched event is `message_stop`. */
  function dispatch(): boolean {
    const name = eventName;
    const payload = data;
    eventName = "";
    data = "";
    if (payload === "" || !wanted(name)) return false;
    const json = parseObject(payload);
    return json ? applyStreamEvent(usage, json, name) : false;
  }

  function line(text: string): boolean {
    if (text === "") return dispatch();
    if (text.charCodeAt(0) === 58 /* ":" comment */) return false;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    if (field === "event") {
      eventName = fieldValue(text, colon);
    } else if (field === "data" && wanted(eventName)) {
      const value = fieldValue(text, colon);
      data = data === "" ? value : `${data}\n${value}`;
    }
    return false;
  }

  function feed(text: string, final: boolean): boolean {
    const all = partial + text;
    let start = 0;
    let stop = false;
    for (;;) {
      const nl = nextNewline(all, start);
      // A CR at the very end may be half of a CRLF split across chunks: wait for the next byte.
      if (nl === -1 || (!final && nl === all.length - 1 && all.charCodeAt(nl) === 13)) break;
      if (line(all.slice(start, nl))) stop = true;
      // "\r\n" counts as one line ending.
      start = all.charCodeAt(nl) === 13 && all.charCodeAt(nl + 1) === 10 ? nl + 2 : nl + 1;
    }
    partial = start === 0 ? all : all.slice(start);
    if (partial.length > maxLine) {
      broken = true;
      partial = "";
      data = "";
    }
    return stop;
  }

  return {
    push(chunk) {
      if (broken) return false;
      return feed(decoder.decode(chunk, { stream: true }), false);
    },
    end() {
      if (!broken) {
        feed(decoder.decode(), true);
        // A stream cut off mid-event still counts what that event said.
        if (partial !== "") line(partial);
        partial = "";
        dispatch();
      }
      return usage;
    },
  };
}

/**
 * Whether a stream's first chunk could complete the stream, so that a caller holding the completing chunk until
 * usage is stored must read it first. False only when it certainly cannot: nothing came before it, and the only
 * event that completes a stream, `message_stop`, is named in an `event:` line or a data's `type`, literally or
 * (in JSON) through a \u escape. Such a first chunk can go to the client before it is read (issue 25: the first
 * streamed byte).
 */
export function firstChunkMayEndStream(chunk: Uint8Array): boolean {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return bytes.includes("message_stop") || bytes.includes("\\u");
}

function parseObject(text: string): Json | undefined {
  try {
    return obj(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Folds one stream event into `usage`; true for `message_stop`. `name` stands in for a data without a `type`. */
function applyStreamEvent(usage: ExtractedUsage, json: Json, name: string): boolean {
  const type = typeof json.type === "string" ? json.type : name;
  if (type === "message_start") {
    const message = obj(json.message);
    if (typeof message?.model === "string") usage.model = message.model;
    if (typeof message?.id === "string") usage.messageId = message.id;
    usage.reported = true;
    const counts = obj(message?.usage);
    if (counts) applyApiCounts(usage, counts);
  } else if (type === "message_delta") {
    usage.reported = true;
    const counts = obj(json.usage);
    if (counts) applyApiCounts(usage, counts);
  } else if (type === "message_stop") {
    usage.complete = true;
    return true;
  } else if (type === "error") {
    applyError(usage, json);
  }
  return false;
}

function fieldValue(text: string, colon: number): string {
  if (colon === -1) return "";
  return text.charCodeAt(colon + 1) === 32 ? text.slice(colon + 2) : text.slice(colon + 1);
}

function nextNewline(text: string, from: number): number {
  const lf = text.indexOf("\n", from);
  const cr = text.indexOf("\r", from);
  if (cr === -1) return lf;
  if (lf === -1) return cr;
  return Math.min(lf, cr);
}
