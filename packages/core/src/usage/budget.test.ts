import { describe, expect, it } from "vitest";
import { budgetExceededError, budgetState, toBudgetStatus } from "./budget.ts";
import { monthWindow, parseSince } from "./window.ts";

const key = (budget: number | null, mode: "warn" | "block" = "warn") => ({
  id: "k1",
  name: "work",
  monthlyBudgetUsd: budget,
  budgetMode: mode,
});

describe("budget thresholds", () => {
  it("is none without a budget, ok below 80 %, warn from 80 % to 100 % inclusive, over past it", () => {
    expect(budgetState(1e9, null)).toBe("none");
    expect(budgetState(0, 50)).toBe("ok");
    expect(budgetState(39.99, 50)).toBe("ok");
    expect(budgetState(40, 50)).toBe("warn");
    expect(budgetState(50, 50)).toBe("warn");
    expect(budgetState(50.01, 50)).toBe("over");
  });

  it("blocks only over budget in block mode", () => {
    expect(toBudgetStatus(key(50, "block"), 50.01)).toMatchObject({ state: "over", blocked: true });
    expect(toBudgetStatus(key(50, "warn"), 500)).toMatchObject({ state: "over", blocked: false });
    expect(toBudgetStatus(key(50, "block"), 49)).toMatchObject({ state: "warn", blocked: false });
    expect(toBudgetStatus(key(null, "block"), 49)).toMatchObject({
      state: "none",
      blocked: false,
      ratio: null,
    });
  });

  it("has a message only when a person should hear about it", () => {
    expect(toBudgetStatus(key(50), 10).message).toBeNull();
    expect(toBudgetStatus(key(50), 45).message).toContain("90%");
    expect(toBudgetStatus(key(50, "block"), 60).message).toContain("refused until the month ends");
  });
});

describe("budgetExceededError", () => {
  it("is an Anthropic-shaped 402 billing_error naming the budget, the spend and the way out", () => {
    const refusal = budgetExceededError(toBudgetStatus(key(50, "block"), 51.234), "work");
    expect(refusal.status).toBe(402);
    expect(refusal.headers["x-should-retry"]).toBe("false");
    expect(refusal.body.type).toBe("error");
    expect(refusal.body.error.type).toBe("billing_error");
    expect(refusal.body.error.message).toContain('"work"');
    expect(refusal.body.error.message).toContain("$50.00");
    expect(refusal.body.error.message).toContain("$51.23");
    expect(refusal.body.error.message).toContain("raises or clears the budget");
  });
});

describe("time windows", () => {
  it("uses the UTC calendar month", () => {
    const w = monthWindow(new Date("2026-12-31T23:59:59.999Z"));
    expect(w.since.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(w.until.toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("reads --since as days back (today included) or a date, and refuses anything else", () => {
    const now = new Date("2026-11-20T15:00:00Z");
    expect(parseSince("7d", now).toISOString()).toBe("2026-11-14T00:00:00.000Z");
    expect(parseSince("1d", now).toISOString()).toBe("2026-11-20T00:00:00.000Z");
    expect(parseSince("2026-11-01", now).toISOString()).toBe("2026-11-01T00:00:00.000Z");
    for (const bad of ["0d", "7", "2026-02-30", "yesterday", "-3d"]) {
      expect(() => parseSince(bad, now), bad).toThrow(expect.objectContaining({ code: "E_USAGE" }));
    }
  });
});

describe("money in budget messages follows core's rule", () => {
  it("an amount under a cent is not rounded to $0.00", () => {
    const key = { id: "k1", name: "tiny", monthlyBudgetUsd: 0.01, budgetMode: "warn" as const };
    const status = toBudgetStatus(key, 0.0085);
    expect(status.state).toBe("warn");
    expect(status.message).toContain("$0.0085 spent");
    expect(status.message).not.toContain("$0.00 ");
  });
});
