import { describe, expect, it } from "vitest";
import { withKey } from "./headers.ts";

// Issue 26: an OAuth access token (an OAuth key's, or one minted for a federated key) is refused by the API as
// x-api-key or without `anthropic-beta: oauth-2025-04-20`; the gateway merges the beta into whatever the client sent.

const TOKEN = "sk-ant-oat01-FAKE_TEST_headers";

describe("issue 26: withKey puts an OAuth token on as a bearer with the OAuth beta", () => {
  it.each(["oauth", "federated"] as const)("%s: bearer, whatever scheme the client used", (kind) => {
    for (const scheme of ["x-api-key", "bearer", undefined]) {
      const h = withKey({}, { kind, secret: TOKEN }, scheme);
      expect(h.authorization).toBe(`Bearer ${TOKEN}`);
      expect(h["x-api-key"]).toBeUndefined();
      expect(h["anthropic-beta"]).toBe("oauth-2025-04-20");
    }
  });

  it("merges the beta with the client's, once, in any spelling", () => {
    const key = { kind: "federated" as const, secret: TOKEN };
    expect(withKey({ "anthropic-beta": "files-api-2025-04-14" }, key, "x-api-key")["anthropic-beta"]).toBe(
      "files-api-2025-04-14,oauth-2025-04-20",
    );
    expect(withKey({ "anthropic-beta": " oauth-2025-04-20 , a " }, key, undefined)["anthropic-beta"]).toBe(
      "oauth-2025-04-20,a",
    );
    expect(withKey({ "anthropic-beta": ["a", "b"] }, key, undefined)["anthropic-beta"]).toBe(
      "a,b,oauth-2025-04-20",
    );
  });

  it("an API key keeps the client's scheme and gets no beta", () => {
    const h = withKey({ "anthropic-beta": "a" }, { kind: "api", secret: "sk-ant-api03-FAKE" }, "x-api-key");
    expect(h["x-api-key"]).toBe("sk-ant-api03-FAKE");
    expect(h["anthropic-beta"]).toBe("a");
  });
});

describe("issue 26: a workspace-scoped OAuth token goes with its anthropic-workspace-id", () => {
  it("adds the key's workspace for an OAuth token, over the client's; never for an API key or an unscoped token", () => {
    const scoped = { kind: "oauth" as const, secret: TOKEN, workspace: "wrkspc_FAKE_TEST_1" };
    expect(withKey({}, scoped, undefined)["anthropic-workspace-id"]).toBe("wrkspc_FAKE_TEST_1");
    expect(
      withKey({ "anthropic-workspace-id": "wrkspc_x" }, scoped, "bearer")["anthropic-workspace-id"],
    ).toBe("wrkspc_FAKE_TEST_1");
    expect(withKey({}, { ...scoped, workspace: null }, undefined)["anthropic-workspace-id"]).toBeUndefined();
    const api = { kind: "api" as const, secret: "sk-ant-api03-FAKE", workspace: "wrkspc_FAKE_TEST_1" };
    expect(withKey({}, api, undefined)["anthropic-workspace-id"]).toBeUndefined();
  });
});
