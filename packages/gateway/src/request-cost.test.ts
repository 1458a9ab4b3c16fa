import { DEFAULT_MAX_OUTPUT_TOKENS } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { endpointFor } from "./endpoints.ts";
import { mayCost, requestBound } from "./request-cost.ts";

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

  it("holds for a Message and a new batch, never for a token count, a list or a batch read", () => {
    const at = (method: string, path: string) => {
      const v = endpointFor(method, path);
      if (!v.ok) throw new Error(`${method} ${path} is not forwarded`);
      return mayCost(v.endpoint);
    };
    expect(at("POST", "/v1/messages")).toBe(true);
    expect(at("POST", "/v1/messages/batches")).toBe(true);
    for (const [m, p] of [
      ["POST", "/v1/messages/count_tokens"],
      ["GET", "/v1/models"],
      ["GET", "/v1/models/claude-haiku-4-5"],
      ["GET", "/v1/messages/batches"],
      ["POST", "/v1/messages/batches/msgbatch_01TEST/cancel"],
    ] as const)
      expect(at(m, p), `${m} ${p}`).toBe(false);
  });
});
