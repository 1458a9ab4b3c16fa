import { describe, expect, it } from "vitest";
import type { KeyKind } from "../domain.ts";
import type { Store } from "../store.ts";
import { type IncomingKey, planImport } from "./plan.ts";

// Only what planImport reads of a store: an empty one.
const emptyStore = { keys: { list: async () => [] }, profiles: { list: async () => [] } } as unknown as Store;

function incoming(name: string, kind: KeyKind, profile = "default"): IncomingKey {
  return {
    name,
    profile,
    kind,
    source: "import",
    organization: null,
    status: "active",
    createdAt: new Date(0),
    lastUsedAt: null,
    lastValidatedAt: null,
    validation: null,
    validationMessage: null,
    monthlyBudgetUsd: null,
    budgetMode: "warn",
    upstreamId: null,
    secret: `secret-of-${name}`,
    naming: "number",
  };
}

describe("issue 20 item 2: an imported Admin key is not made active by default", () => {
  it("another tool's keys: the first key that is not an Admin key becomes active", async () => {
    const plan = await planImport(
      emptyStore,
      {
        keys: [incoming("org", "admin"), incoming("api", "api"), incoming("dev-org", "admin", "dev")],
        profiles: [],
      },
      (s) => s,
    );
    expect(plan.activate).toEqual([{ profile: "default", name: "api" }]);
  });

  it("a bundle's own choice is restored as it was, Admin key or not", async () => {
    const plan = await planImport(
      emptyStore,
      {
        keys: [incoming("org", "admin"), incoming("api", "api")],
        profiles: [{ name: "default", activeKey: "org" }],
      },
      (s) => s,
    );
    expect(plan.activate).toEqual([{ profile: "default", name: "org" }]);
  });
});
