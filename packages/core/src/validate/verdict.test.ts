import { describe, expect, it } from "vitest";
import { VALIDATION_OUTCOMES } from "../domain.ts";
import { nextVerdict } from "./verdict.ts";

const before = new Date("2026-11-01T10:00:00Z");
const now = new Date("2026-12-06T06:00:00Z");
const result = (outcome: (typeof VALIDATION_OUTCOMES)[number]) => ({ outcome, message: `said ${outcome}` });

describe("issue 23 item 8: a check that cannot verify keeps the last definite verdict", () => {
  it("every definite verdict survives an unverified check, with its message and date", () => {
    for (const outcome of VALIDATION_OUTCOMES.filter((o) => o !== "unverified")) {
      const previous = { validation: outcome, validationMessage: `was ${outcome}`, lastValidatedAt: before };
      expect(nextVerdict(previous, result("unverified"), now)).toEqual({ ...previous, kept: true });
    }
  });

  it("a definite answer always replaces the verdict, whatever came before", () => {
    const previousStates = [null, ...VALIDATION_OUTCOMES];
    for (const was of previousStates)
      for (const outcome of VALIDATION_OUTCOMES.filter((o) => o !== "unverified")) {
        const previous = { validation: was, validationMessage: null, lastValidatedAt: was ? before : null };
        expect(nextVerdict(previous, result(outcome), now)).toEqual({
          validation: outcome,
          validationMessage: `said ${outcome}`,
          lastValidatedAt: now,
          kept: false,
        });
      }
  });

  it("with nothing definite before, an unverified check is recorded as such", () => {
    for (const was of [null, "unverified"] as const) {
      const previous = { validation: was, validationMessage: null, lastValidatedAt: null };
      expect(nextVerdict(previous, result("unverified"), now)).toMatchObject({
        validation: "unverified",
        lastValidatedAt: now,
        kept: false,
      });
    }
  });
});
