import { describe, expect, it } from "vitest";
import { MAX_TOKEN_COUNT, tokenCount } from "./counts.ts";
import { createUsageExtractor, emptyUsage, usageFromJson } from "./extract.ts";
import { toEvent } from "./record.ts";

const createUsageMeter = () => {
  const x = createUsageExtractor({ contentType: "text/event-stream" });
  return {
    push: (chunk: Uint8Array | string) =>
      x.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk),
    end: () => x.end() ?? emptyUsage(),
  };
};

// Issue 12, item 8: figures the upstream reports are believed only within bounds.

const base = {
  keyId: "k1",
  model: "claude-sonnet-4-5-20250929",
  inputTokens: 10,
  outputTokens: 10,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  requestId: null,
  front: "test",
};
const now = new Date("2026-11-01T00:00:00Z");

describe("item 8: token counts", () => {
  it.each([
    [0, 0],
    [12, 12],
    [MAX_TOKEN_COUNT, MAX_TOKEN_COUNT],
    [undefined, "absent"],
    [null, "absent"],
    [MAX_TOKEN_COUNT + 1, "invalid"],
    [1e308, "invalid"],
    [Number.POSITIVE_INFINITY, "invalid"],
    [Number.NaN, "invalid"],
    [-1, "invalid"],
    [2.5, "invalid"],
    ["12", "invalid"],
    [true, "invalid"],
  ])("item 8: %s is %s", (value, expected) => {
    expect(tokenCount(value)).toBe(expected);
  });

  it.each([
    ["1e308 output tokens", { outputTokens: 1e308 }],
    ["Infinity", { inputTokens: Number.POSITIVE_INFINITY }],
    ["NaN", { cacheReadTokens: Number.NaN }],
    ["a negative count", { cacheCreationTokens: -3 }],
    ["a fraction", { outputTokens: 0.5 }],
  ])("item 8: toEvent stores %s as no tokens and no cost", (_what, bad) => {
    const event = toEvent({ ...base, ...bad }, now);
    expect(event).toMatchObject({
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      costUsd: null,
    });
  });

  it("item 8: toEvent honours a front's refusal, and prices valid figures as before", () => {
    expect(toEvent({ ...base, refused: "output_tokens is out of range" }, now)).toMatchObject({
      inputTokens: 0,
      costUsd: null,
    });
    const priced = toEvent({ ...base, outputTokens: MAX_TOKEN_COUNT }, now);
    expect(priced.outputTokens).toBe(MAX_TOKEN_COUNT);
    expect(Number.isFinite(priced.costUsd)).toBe(true);
  });

  it("item 8: the client's meter marks a stream or body with an out-of-range figure as refused", () => {
    const meter = createUsageMeter();
    meter.push(
      'event: message_start\ndata: {"type":"message_start","message":{"model":"m","usage":{"input_tokens":5}}}\n\n' +
        'event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":1e308}}\n\n',
    );
    const streamed = meter.end();
    expect(streamed.refused).toMatch(/^output_tokens /);
    expect(streamed.outputTokens).toBe(0);
    const body = usageFromJson({
      type: "message",
      model: "m",
      usage: { input_tokens: -1, output_tokens: 3 },
    });
    expect(body.refused).toMatch(/^input_tokens /);
    expect(usageFromJson({ type: "message", model: "m", usage: { input_tokens: 4 } }).refused).toBeNull();
  });
});
