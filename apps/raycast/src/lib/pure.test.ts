import { describe, expect, it } from "vitest";
import { ApikeyError, ERROR_CODES } from "../../vendor/core/index.ts";
import type { KeyItem } from "../data/types.ts";
import { rotateSummary } from "../components/rotate-form.tsx";
import { addedMessage } from "../add-api-key.tsx";
import { ALL_PROFILES, groupByProfile } from "../switch-api-key.tsx";
import { keyAccessories } from "./accessories.ts";
import { ago, spendText } from "./format.ts";
import { errorHint, StoreNotFoundError, unavailableHint } from "./hints.ts";
import { usageChartSvg } from "./usage-chart.ts";

const key = (over: Partial<KeyItem> = {}): KeyItem => ({
  id: "k1",
  name: "work",
  profile: "default",
  kind: "api",
  status: "active",
  active: false,
  masked: "sk-ant-api03-…wxAA",
  lastUsedAt: null,
  validation: "valid",
  rotationDue: false,
  spendMonthUsd: null,
  budgetUsd: null,
  budgetState: "none",
  canDeactivateUpstream: false,
  upstreamOnRotate: "manual",
  cannotRotate: null,
  ...over,
});

describe("accessories", () => {
  it("marks the active key, rotation due, spend against budget and never-used", () => {
    const acc = keyAccessories(
      key({ active: true, rotationDue: true, spendMonthUsd: 8.5, budgetUsd: 10, budgetState: "warn" }),
    );
    expect(acc).toEqual([
      { tag: { value: "Active", color: "Green" }, tooltip: "Active key of default" },
      { icon: "ArrowClockwise", text: "Rotation Due", tooltip: "Older than the rotation policy allows" },
      { text: { value: "$8.50 / $10.00", color: "Orange" }, tooltip: "This month: Near budget (80% or more)" },
      { text: "Never Used", tooltip: "Not used since it was added" },
    ]);
  });

  it("shows a disabled, invalid key and when it was last used", () => {
    const now = new Date("2026-11-28T12:00:00Z");
    const acc = keyAccessories(
      key({ status: "disabled", validation: "invalid", lastUsedAt: "2026-11-25T12:00:00Z" }),
      now,
    );
    expect(acc).toHaveLength(3);
    expect(acc[0]).toEqual({ tag: { value: "Disabled", color: "SecondaryText" } });
    expect(acc[1]).toMatchObject({ tag: { value: "Invalid", color: "Red" } });
    expect(acc[2]).toEqual({ date: new Date("2026-11-25T12:00:00Z"), tooltip: "Last used 3 days ago" });
  });

  it("spend text: budget, spend alone, or nothing", () => {
    expect(spendText({ spendMonthUsd: null, budgetUsd: 5 })).toBe("$0.00 / $5.00");
    expect(spendText({ spendMonthUsd: 1.234, budgetUsd: null })).toBe("$1.23");
    expect(spendText({ spendMonthUsd: 0, budgetUsd: null })).toBeNull();
    expect(ago("2026-11-28T11:30:00Z", new Date("2026-11-28T12:00:00Z"))).toBe("30 min ago");
  });
});

describe("grouping", () => {
  const keys = [
    key({ id: "1", name: "b", profile: "prod" }),
    key({ id: "2", name: "z", profile: "default", active: true }),
    key({ id: "3", name: "a", profile: "default" }),
  ];
  it("default first, the active key first within a profile", () => {
    expect(groupByProfile(keys, ALL_PROFILES).map(([p, ks]) => [p, ks.map((k) => k.name)])).toEqual([
      ["default", ["z", "a"]],
      ["prod", ["b"]],
    ]);
  });
  it("the dropdown filters to one profile", () => {
    expect(groupByProfile(keys, "prod").map(([p]) => p)).toEqual(["prod"]);
  });
});

describe("hints", () => {
  it("turns store-opening failures into one sentence and one command", () => {
    expect(unavailableHint(new StoreNotFoundError("/x", false))).toEqual({
      title: "No apikey store in /x.",
      message: "Add your first key in a terminal, or set Store Directory in the extension's preferences.",
      command: "apikey add NAME",
    });
    expect(unavailableHint(new ApikeyError(ERROR_CODES.WRONG_MASTER_KEY, "wrong"))?.command).toBe(
      "apikey slot add raycast",
    );
    expect(unavailableHint(new ApikeyError(ERROR_CODES.KEY_NOT_FOUND, "gone"))).toBeNull();
    const keychainOnly = new ApikeyError(ERROR_CODES.MASTER_KEY_MISSING, "none here", {
      details: { slots: ["keychain"] },
    });
    expect(unavailableHint(keychainOnly)?.title).toBe(
      "This store is locked by the OS keychain, which Raycast cannot read",
    );
  });

  it("shows core messages, never the text of a foreign error", () => {
    const foreign = errorHint(new Error("SQLITE_ERROR near 'sk-ant-api03-secret'"));
    expect(JSON.stringify(foreign)).not.toContain("sk-ant");
    expect(errorHint(new ApikeyError(ERROR_CODES.NAME_TAKEN, 'A key named "a" already exists.'))).toEqual({
      title: 'A key named "a" already exists.',
      message: "Pick another name, or rename the existing key first.",
    });
  });
});

describe("outcome texts", () => {
  const rotated = {
    changed: true,
    name: "work",
    profile: "default",
    oldMasked: "sk-ant-api03-…aaAA",
    newMasked: "sk-ant-api03-…bbAA",
    validation: "valid" as const,
  };
  it("rotation: what replaced what, and the upstream plan", () => {
    expect(rotateSummary({ ...rotated, deactivation: { plan: "manual", dueAt: null, reason: null } })).toEqual({
      title: "Rotated work: sk-ant-api03-…aaAA → sk-ant-api03-…bbAA",
      message: "No Admin key: deactivate the old key in the Anthropic Console.",
    });
    expect(
      rotateSummary({ ...rotated, changed: false, deactivation: { plan: "none", dueAt: null, reason: null } }).title,
    ).toBe("work already holds this key");
  });
  it("add: a key that could not be checked is stored, and the toast says so", () => {
    const o = { key: key({ active: true }), validation: "unverified" as const, validationMessage: null };
    expect(addedMessage(o)).toEqual({
      title: "Stored work, not verified",
      message: "Anthropic could not be reached to check it. It is now the active key of default.",
    });
  });
});

describe("usage chart", () => {
  it("draws one bar per day, scaled to a round top", () => {
    const svg = usageChartSvg([
      { day: "2026-11-26", costUsd: 0 },
      { day: "2026-11-27", costUsd: 3.2 },
      { day: "2026-11-28", costUsd: 1.6 },
    ]);
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg).toContain("<title>2026-11-27: $3.20</title>");
    expect(svg).toContain(">$5.00</text>"); // 3.2 rounds up to a 5-dollar axis
    expect(svg).toContain(">11-28</text>");
  });
  it("an empty window still draws an axis", () => {
    expect(usageChartSvg([{ day: "2026-11-28", costUsd: 0 }])).toContain(">$1.00</text>");
  });
});
