import { describe, expect, it } from "vitest";
import { apiKeyVariables, childEnvironment, STORE_UNLOCKING_VARIABLES } from "./child-env.ts";
import { OAUTH_API_BETA } from "./oauth-bearer.ts";

it("item 1: a child environment drops every store-unlocking variable, in any case, and sets the active key", () => {
  const parent = {
    PATH: "/bin",
    APIKEY_MASTER_KEY: "m",
    APIKEY_PASSPHRASE: "p",
    apikey_export_passphrase: "e",
    anthropic_api_key: "old",
    EMPTY: undefined,
  };
  expect(childEnvironment(parent, "new")).toEqual({ PATH: "/bin", ANTHROPIC_API_KEY: "new" });
  expect(childEnvironment(parent)).toEqual({ PATH: "/bin", anthropic_api_key: "old" });
  expect(STORE_UNLOCKING_VARIABLES).toEqual([
    "APIKEY_MASTER_KEY",
    "APIKEY_PASSPHRASE",
    "APIKEY_EXPORT_PASSPHRASE",
  ]);
});

it("issue 26: a key's headers reach the child in ANTHROPIC_CUSTOM_HEADERS, over the parent's lines for them only", () => {
  const vars = {
    set: { ANTHROPIC_API_KEY: "k" },
    drop: [],
    headers: { "anthropic-workspace-id": "wrkspc_a" },
  };
  for (const [parent, expected] of [
    [undefined, "anthropic-workspace-id: wrkspc_a"],
    ["x-team: blue", "x-team: blue\nanthropic-workspace-id: wrkspc_a"],
    ["Anthropic-Workspace-Id: wrkspc_old\nx-a: 1", "x-a: 1\nanthropic-workspace-id: wrkspc_a"],
    ["not a header line", "anthropic-workspace-id: wrkspc_a"],
  ] as const) {
    const env = childEnvironment(
      { PATH: "/bin", ...(parent !== undefined && { anthropic_custom_headers: parent }) },
      vars,
    );
    expect(env).toEqual({ PATH: "/bin", ANTHROPIC_API_KEY: "k", ANTHROPIC_CUSTOM_HEADERS: expected });
  }
  // No headers: the parent's variable is left as it was.
  expect(childEnvironment({ ANTHROPIC_CUSTOM_HEADERS: "x: 1" }, "k").ANTHROPIC_CUSTOM_HEADERS).toBe("x: 1");
});

describe("an OAuth access token travels as the official SDK and Claude Code read one", () => {
  const token = `sk-ant-oat01-${"FAKE_TEST_OAUTH_TOKEN_".repeat(3)}AbC`;
  const apiKey = `sk-ant-api03-${"FAKE_TEST_KEY_".repeat(7).slice(0, 93)}AA`;

  it("as ANTHROPIC_AUTH_TOKEN with the OAuth beta, never as ANTHROPIC_API_KEY (the API refuses it as x-api-key)", () => {
    const env = childEnvironment(
      { PATH: "/bin", ANTHROPIC_API_KEY: "stale", anthropic_auth_token: "stale" },
      apiKeyVariables(token),
    );
    expect(env).toEqual({
      PATH: "/bin",
      ANTHROPIC_AUTH_TOKEN: token,
      ANTHROPIC_CUSTOM_HEADERS: `anthropic-beta: ${OAUTH_API_BETA}`,
    });
  });

  it("keeps the parent's betas and other header lines beside the OAuth beta, each beta once", () => {
    for (const [parent, expected] of [
      ["anthropic-beta: files-api-2025-04-14", `anthropic-beta: files-api-2025-04-14,${OAUTH_API_BETA}`],
      [
        `x-team: blue\nAnthropic-Beta: a, ${OAUTH_API_BETA} ,b`,
        `x-team: blue\nanthropic-beta: a,${OAUTH_API_BETA},b`,
      ],
      ["x-team: blue", `x-team: blue\nanthropic-beta: ${OAUTH_API_BETA}`],
    ] as const) {
      const env = childEnvironment({ ANTHROPIC_CUSTOM_HEADERS: parent }, apiKeyVariables(token));
      expect(env.ANTHROPIC_CUSTOM_HEADERS, parent).toBe(expected);
    }
  });

  it("an API key drops a parent's ANTHROPIC_AUTH_TOKEN, which Claude Code would send instead of the key", () => {
    expect(
      childEnvironment({ ANTHROPIC_AUTH_TOKEN: "stale", PATH: "/bin" }, apiKeyVariables(apiKey)),
    ).toEqual({
      PATH: "/bin",
      ANTHROPIC_API_KEY: apiKey,
    });
  });

  it("a look-alike of a token (wrong shape) is not taken for one", () => {
    for (const text of [`${token} `, token.replace("oat01", "OAT01"), `sk-ant-oat01-short`]) {
      expect(apiKeyVariables(text).set).toEqual({ ANTHROPIC_API_KEY: text });
    }
  });
});
