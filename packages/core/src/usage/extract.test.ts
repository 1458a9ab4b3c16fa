import { describe, expect, it } from "vitest";
import { createUsageExtractor, emptyUsage, firstChunkMayEndStream, usageFromJson } from "./extract.ts";

const createUsageMeter = () => {
  const x = createUsageExtractor({ contentType: "text/event-stream" });
  return {
    push: (chunk: Uint8Array | string) =>
      x.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk),
    end: () => x.end() ?? emptyUsage(),
  };
};

const ev = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

const STREAM = [
  ev("message_start", {
    message: {
      id: "msg_1",
      model: "claude-sonnet-4-5-20250929",
      usage: {
        input_tokens: 100,
        cache_creation_input_tokens: 20,
        cache_read_input_tokens: 30,
        output_tokens: 1,
      },
    },
  }),
  ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
  ev("ping", {}),
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "message_delta" } }),
  ev("message_delta", { delta: {}, usage: { output_tokens: 5 } }),
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "héllo" } }),
  ev("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 9 } }),
  ev("message_stop", {}),
].join("");

describe("stream usage", () => {
  it("takes input from message_start and output from the last (cumulative) message_delta", () => {
    const meter = createUsageMeter();
    meter.push(new TextEncoder().encode(STREAM));
    expect(meter.end()).toEqual({
      model: "claude-sonnet-4-5-20250929",
      messageId: "msg_1",
      inputTokens: 100,
      outputTokens: 9,
      cacheCreationTokens: 20,
      cacheReadTokens: 30,
      complete: true,
      error: null,
      refused: null,
      reported: true,
    });
  });

  it("gives the same answer however the bytes are split, CRLF line ends included", () => {
    const bytes = new TextEncoder().encode(STREAM.replaceAll("\n", "\r\n"));
    for (const size of [1, 2, 7, 64]) {
      const meter = createUsageMeter();
      for (let i = 0; i < bytes.length; i += size) meter.push(bytes.subarray(i, i + size));
      expect(meter.end(), `chunks of ${size}`).toMatchObject({
        inputTokens: 100,
        outputTokens: 9,
        complete: true,
      });
    }
  });

  it("keeps what it saw when the stream breaks off, and reports an error event", () => {
    const cut = STREAM.slice(0, STREAM.indexOf("event: message_delta", STREAM.indexOf("héllo")));
    const meter = createUsageMeter();
    meter.push(cut);
    meter.push(ev("error", { error: { type: "overloaded_error", message: "Overloaded" } }));
    expect(meter.end()).toMatchObject({
      inputTokens: 100,
      outputTokens: 5,
      complete: false,
      error: { type: "overloaded_error" },
    });
  });

  it("ignores comments, junk data and events it does not need", () => {
    const meter = createUsageMeter();
    meter.push(": keep-alive\n\nevent: message_delta\ndata: {not json\n\n");
    meter.push(ev("content_block_delta", { usage: { output_tokens: 999 } }));
    expect(meter.end()).toMatchObject({ outputTokens: 0, model: null });
  });
});

describe("JSON usage", () => {
  it("reads a Message's usage, and an error body", () => {
    expect(
      usageFromJson({
        type: "message",
        id: "msg_2",
        model: "claude-haiku-4-5",
        usage: {
          input_tokens: 3,
          output_tokens: 4,
          cache_creation_input_tokens: 5,
          cache_read_input_tokens: 6,
        },
      }),
    ).toMatchObject({
      inputTokens: 3,
      outputTokens: 4,
      cacheCreationTokens: 5,
      cacheReadTokens: 6,
      complete: true,
    });
    expect(
      usageFromJson({ type: "error", error: { type: "rate_limit_error", message: "slow down" } }),
    ).toMatchObject({
      outputTokens: 0,
      error: { type: "rate_limit_error", message: "slow down" },
    });
    expect(usageFromJson("nope")).toMatchObject({ inputTokens: 0, complete: false });
  });
});

describe("issue 25: a stream's first chunk that cannot end it", () => {
  const enc = (text: string) => new TextEncoder().encode(text);
  const ends = (text: string) => {
    const x = createUsageExtractor({ contentType: "text/event-stream" });
    return x.push(enc(text));
  };
  it.each([
    ["named by its event line", "event: message_stop\ndata: {}\n\n"],
    ["named by its data's type, no event line", 'data: {"type":"message_stop"}\n\n'],
    ["spelled with a JSON escape", 'data: {"type":"message\\u005fstop"}\n\n'],
    [
      "after a message_start in the same chunk",
      'event: message_start\ndata: {"type":"message_start","message":{}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
    ],
  ])("may end it when message_stop is %s", (_how, text) => {
    // The extractor agrees that each of these completes the stream; the quick check never says otherwise.
    expect(ends(text)).toBe(true);
    expect(firstChunkMayEndStream(enc(text))).toBe(true);
  });

  it("cannot end it without message_stop: a message_start, a ping, a content block", () => {
    const text =
      'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":3}}}\n\n' +
      'event: ping\ndata: {"type":"ping"}\n\nevent: content_block_start\ndata: {"type":"content_block_start"}\n\n';
    expect(ends(text)).toBe(false);
    expect(firstChunkMayEndStream(enc(text))).toBe(false);
    // A view into a larger buffer is read only where it looks.
    const big = Buffer.from(`${text}event: message_stop\n`);
    expect(firstChunkMayEndStream(big.subarray(0, text.length))).toBe(false);
    expect(firstChunkMayEndStream(big)).toBe(true);
  });
});
