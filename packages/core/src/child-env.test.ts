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
