import { describe, expect, it } from "vitest";
import { checkEndpointModels, readsBody, sendableUpstream } from "./admission.ts";
import { endpointFor } from "./endpoints.ts";
import type { TokenEntry } from "./token-table.ts";

const token = (models: string[] | null): TokenEntry => ({
  id: "t1",
  name: "t",
  profile: null,
  models,
  budgetUsd: null,
  blockOverBudget: false,
  expiresAt: null,
  revoked: false,
});
const HAIKU_ONLY = token(["claude-haiku-*"]);

function endpoint(method: string, path: string) {
  const found = endpointFor(method, path);
  if (!found.ok) throw new Error(`${method} ${path} is not an endpoint`);
  return found.endpoint;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe("issue 20 item 2: a model list applies to every endpoint", () => {
  it("bodies are read, and their models checked, where they name models", () => {
    expect(readsBody(HAIKU_ONLY, endpoint("POST", "/v1/messages"))).toBe(true);
    expect(readsBody(HAIKU_ONLY, endpoint("POST", "/v1/messages/count_tokens"))).toBe(true);
    expect(readsBody(HAIKU_ONLY, endpoint("POST", "/v1/messages/batches"))).toBe(true);
    expect(readsBody(HAIKU_ONLY, endpoint("POST", "/v1/messages/batches/msgbatch_1/cancel"))).toBe(false);
    // A token without a model list: the body streams through unread.
    expect(readsBody(token(null), endpoint("POST", "/v1/messages"))).toBe(false);
  });

  it("a batch is admitted when every entry names an allowed model, and its top-level model vouches for none", () => {
    const create = endpoint("POST", "/v1/messages/batches");
    const entry = (model?: string) => ({ custom_id: "x", params: model === undefined ? {} : { model } });
    expect(checkEndpointModels(HAIKU_ONLY, create, json({ requests: [entry("claude-haiku-4-5")] })).ok).toBe(
      true,
    );
    for (const body of [
      { requests: [entry("claude-haiku-4-5"), entry("claude-opus-4-5")] },
      { requests: [entry("claude-haiku-4-5"), entry()] },
      { requests: [] },
      { model: "claude-haiku-4-5" },
      { model: "claude-haiku-4-5", requests: "x" },
    ]) {
      expect(checkEndpointModels(HAIKU_ONLY, create, json(body)).ok, JSON.stringify(body)).toBe(false);
    }
  });

  // Decided: an existing batch's models were checked when it was created (through this gateway, by a token with
  // the same rule), and reading, listing, cancelling or deleting one runs no model. Results cannot be checked per
  // request, so they are not: a model-limited token may read the batches of its profile's key.
  it.each([
    ["GET", "/v1/messages/batches"],
    ["GET", "/v1/messages/batches/msgbatch_1"],
    ["GET", "/v1/messages/batches/msgbatch_1/results"],
    ["POST", "/v1/messages/batches/msgbatch_1/cancel"],
    ["DELETE", "/v1/messages/batches/msgbatch_1"],
    ["GET", "/v1/models"],
  ])("%s %s runs no model: a model-limited token may call it", (method, path) => {
    expect(checkEndpointModels(HAIKU_ONLY, endpoint(method, path), null).ok).toBe(true);
  });

  it("GET /v1/models/{id} is checked against the list", () => {
    expect(checkEndpointModels(HAIKU_ONLY, endpoint("GET", "/v1/models/claude-haiku-4-5"), null).ok).toBe(
      true,
    );
    expect(checkEndpointModels(HAIKU_ONLY, endpoint("GET", "/v1/models/claude-opus-4-5"), null).ok).toBe(
      false,
    );
  });

  it("a body with a key twice is refused with 400, before its models are looked at", () => {
    const verdict = checkEndpointModels(
      HAIKU_ONLY,
      endpoint("POST", "/v1/messages"),
      Buffer.from('{"model":"claude-opus-4-5","model":"claude-haiku-4-5"}'),
    );
    expect(verdict).toMatchObject({ ok: false, refusal: { status: 400, type: "invalid_request_error" } });
  });
});

describe("issue 20 item 2: only API keys and OAuth tokens go upstream", () => {
  const admin = `sk-ant-admin01-${"FAKE_TEST_ADMISSION_".padEnd(93, "x")}AA`;
  const api = `sk-ant-api03-${"FAKE_TEST_ADMISSION_".padEnd(93, "x")}AA`;
  it.each([
    ["api", "an API key", api, true],
    ["oauth", "an OAuth token", "sk-ant-oat01-FAKE_TEST_ADMISSION", true],
    ["admin", "an Admin key", admin, false],
    // A row whose kind says otherwise is still refused by its prefix.
    ["api", "an Admin key", admin, false],
    ["api", "an upper-case Admin key", admin.toUpperCase(), false],
  ] as const)("kind %s holding %s: sendable %s", (kind, _what, secret, sendable) => {
    expect(sendableUpstream({ kind, secret })).toBe(sendable);
  });
});
