import { DEFAULT_MAX_OUTPUT_TOKENS } from "@apikey/core/usage";
import { describe, expect, it } from "vitest";
import { canonicalPath, mayCost, requestBound } from "./request-cost.ts";

const b = (s: string) => Buffer.from(s, "utf8");

describe("issue 20 item 3: what a request's body bounds", () => {
  it("reads model and max_tokens from a JSON body, and its size", () => {
    const body = '{"model":"claude-haiku-4-5","max_tokens":300,"messages":[]}';
    expect(requestBound(b(body))).toEqual({
      model: "claude-haiku-4-5",
      maxTokens: 300,
      bodyBytes: body.length,
    });
  });

  it("bounds as the dearest whatever it cannot read for sure: not JSON, not an object, a key named twice or escaped twice", () => {
    const unknown = (body: string) => {
      const r = requestBound(b(body));
      return [r.model, r.maxTokens];
    };
    expect(unknown("not json")).toEqual([null, null]);
    expect(unknown("[1,2]")).toEqual([null, null]);
    expect(unknown('{"model":"claude-haiku-4-5","max_tokens":1,"max_tokens":100000}')).toEqual([
      "claude-haiku-4-5",
      null,
    ]);
    expect(unknown('{"model":"claude-haiku-4-5","max_tokens":1,"max\\u005Ftokens":100000}')).toEqual([
      "claude-haiku-4-5",
      null,
    ]);
    expect(unknown('{"model":"claude-haiku-4-5","\\u006dodel":"claude-opus-4-1","max_tokens":1}')).toEqual([
      null,
      1,
    ]);
    expect(unknown('{"model":"claude-haiku-4-5","max_tokens":"100"}')).toEqual(["claude-haiku-4-5", null]);
    // The key spelled inside a string is text, not a key.
    expect(unknown('{"model":"m","max_tokens":5,"messages":[{"content":"\\"max_tokens\\": 1"}]}')).toEqual([
      "m",
      5,
    ]);
    expect(DEFAULT_MAX_OUTPUT_TOKENS).toBeGreaterThan(0);
  });

  it("holds for every POST but count_tokens, however its path is spelled", () => {
    expect(mayCost("POST", "/v1/messages")).toBe(true);
    expect(mayCost("POST", "/v1/complete")).toBe(true);
    expect(mayCost("GET", "/v1/models")).toBe(false);
    for (const p of ["/v1/messages/count_tokens", "/v1/messages/COUNT_TOKENS", "/v1/messages/count%5Ftokens"])
      expect(mayCost("POST", p), p).toBe(false);
    expect(canonicalPath("/v1/messages/%62atches")).toBe("/v1/messages/batches");
    expect(canonicalPath("/v1/Messages/%2562atches")).toBe("/v1/messages/batches");
  });
});
