import { expect, it } from "vitest";
import { childEnvironment, STORE_UNLOCKING_VARIABLES } from "./child-env.ts";

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
