import { describe, expect, it } from "vitest";
import { createUsageTap, usageFromJsonBody } from "./usage-tap.ts";

const sse = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

const STREAM = [
  sse("message_start", {
    message: {
      model: "claude-haiku-4-5-20251001",
      usage: {
        input_tokens: 21,
        cache_creation_input_tokens: 3,
        cache_read_input_tokens: 5,
        output_tokens: 1,
      },
    },
  }),
  sse("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
  ": a comment line\n\n",
  sse("content_block_delta", { index: 0, delta: { type: "text_delta", text: "héllo wörld" } }),
  sse("message_delta", { delta: {}, usage: { output_tokens: 10 } }),
  sse("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 40 } }),
  sse("message_stop", {}),
].join("");

/** Feeds `text` in pieces of `size` bytes; returns the index of each piece the tap called final. */
function feed(tap: ReturnType<typeof createUsageTap>, bytes: Buffer, size: number): number[] {
  const finals: number[] = [];
  for (let i = 0, n = 0; i < bytes.length; i += size, n++) {
    if (tap.push(bytes.subarray(i, i + size))) finals.push(n);
  }
  return finals;
}

describe("SSE streams", () => {
  it.each([1, 2, 7, 64, 100_000])(
    "takes the input side from message_start and the last cumulative output (chunks of %i bytes)",
    (size) => {
      const tap = createUsageTap({
        contentType: "text/event-stream; charset=utf-8",
        contentLength: undefined,
      });
      const bytes = Buffer.from(STREAM, "utf8");
      const finals = feed(tap, bytes, size);
      expect(tap.result()).toEqual({
        model: "claude-haiku-4-5-20251001",
        inputTokens: 21,
        outputTokens: 40,
        cacheCreationTokens: 3,
        cacheReadTokens: 5,
        refused: null,
      });
      // Exactly one piece is final: the one holding the blank line that ends message_stop (the last byte).
      expect(finals).toEqual([Math.ceil(bytes.length / size) - 1]);
    },
  );

  it("handles CRLF line endings split across chunks", () => {
    const tap = createUsageTap({ contentType: "text/event-stream", contentLength: undefined });
    const bytes = Buffer.from(STREAM.replaceAll("\n", "\r\n"), "utf8");
    const finals = feed(tap, bytes, 3);
    expect(tap.result()?.outputTokens).toBe(40);
    expect(finals).toHaveLength(1);
  });

  it("reports input tokens from a stream cut short before any message_delta", () => {
    const tap = createUsageTap({ contentType: "text/event-stream", contentLength: undefined });
    tap.push(Buffer.from(STREAM.slice(0, STREAM.indexOf("event: content_block_delta"))));
    expect(tap.result()).toMatchObject({ inputTokens: 21, outputTokens: 1 });
  });

  it("gives up, without growing, on a line longer than its cap", () => {
    const tap = createUsageTap({
      contentType: "text/event-stream",
      contentLength: undefined,
      maxSseLineBytes: 1024,
    });
    tap.push(Buffer.from(`data: ${"x".repeat(4096)}`));
    expect(tap.push(Buffer.from(STREAM))).toBe(false);
    expect(tap.result()).toBeNull();
  });
});

describe("JSON bodies", () => {
  const body = Buffer.from(
    JSON.stringify({
      id: "msg_1",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: "hi" }],
      usage: {
        input_tokens: 12,
        output_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 2,
      },
    }),
  );

  it("parses the top-level usage and calls the chunk completing content-length final", () => {
    const tap = createUsageTap({ contentType: "application/json", contentLength: body.length });
    expect(feed(tap, body, 10)).toEqual([Math.ceil(body.length / 10) - 1]);
    expect(tap.result()).toEqual({
      model: "claude-sonnet-4-5-20250929",
      inputTokens: 12,
      outputTokens: 7,
      cacheCreationTokens: 0,
      cacheReadTokens: 2,
      refused: null,
    });
  });

  it("without content-length, parses at the end and calls no chunk final", () => {
    const tap = createUsageTap({ contentType: "application/json", contentLength: undefined });
    expect(feed(tap, body, 16)).toEqual([]);
    expect(tap.result()?.inputTokens).toBe(12);
  });

  it("skips bodies over the cap, error bodies and other content types", () => {
    const big = createUsageTap({
      contentType: "application/json",
      contentLength: undefined,
      maxJsonBytes: 32,
    });
    feed(big, body, 16);
    expect(big.result()).toBeNull();
    const error = createUsageTap({ contentType: "application/json", contentLength: undefined });
    error.push(Buffer.from('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'));
    expect(error.result()).toBeNull();
    const binary = createUsageTap({ contentType: "application/octet-stream", contentLength: body.length });
    expect(binary.push(body)).toBe(false);
    expect(binary.result()).toBeNull();
  });
});

describe("item 8: usage figures out of range", () => {
  const HOSTILE: Array<[string, unknown]> = [
    ["1e308", 1e308],
    ["a negative count", -1],
    ["a fraction", 2.5],
    ["more than 10^9", 1_000_000_001],
    ["a string", "12"],
    ["an unsafe integer", 2 ** 53 + 2],
  ];

  it.each(HOSTILE)("item 8: JSON: %s is refused, naming the field, never the value", (_what, value) => {
    const usage = usageFromJsonBody(
      Buffer.from(JSON.stringify({ model: "m", usage: { input_tokens: 3, output_tokens: value } })),
    );
    expect(usage?.refused).toMatch(/^output_tokens /);
    expect(usage?.refused).not.toContain(String(value));
  });

  it.each(HOSTILE)("item 8: SSE: %s in message_delta is refused", (_what, value) => {
    const tap = createUsageTap({ contentType: "text/event-stream", contentLength: undefined });
    tap.push(
      Buffer.from(
        sse("message_start", { message: { model: "m", usage: { input_tokens: 3 } } }) +
          sse("message_delta", { delta: {}, usage: { output_tokens: value } }) +
          sse("message_stop", {}),
      ),
    );
    expect(tap.result()?.refused).toMatch(/^output_tokens /);
    expect(tap.result()?.outputTokens).not.toBe(value);
  });

  it("item 8: absent or null counters are 0, and 10^9 itself is accepted", () => {
    const usage = usageFromJsonBody(
      Buffer.from(
        JSON.stringify({
          model: "m",
          usage: { input_tokens: 1_000_000_000, output_tokens: 0, cache_read_input_tokens: null },
        }),
      ),
    );
    expect(usage).toEqual({
      model: "m",
      inputTokens: 1_000_000_000,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      refused: null,
    });
  });
});
