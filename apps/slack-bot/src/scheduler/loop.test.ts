import { describe, expect, it } from "vitest";
import { redactingLogger } from "../logger.ts";
import { startLoop } from "./loop.ts";

describe("reminder loop", () => {
  it("runs passes one at a time with the injected clock, and survives a failed pass", async () => {
    let now = new Date("2026-11-01T00:00:00Z");
    const seen: string[] = [];
    const lines: string[] = [];
    let inFlight = 0;
    let calls = 0;
    const loop = startLoop(
      {
        clock: { now: () => now },
        logger: redactingLogger({ write: (l) => lines.push(l) }),
        pass: async (t) => {
          inFlight++;
          expect(inFlight).toBe(1);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
          if (++calls === 2) throw Object.assign(new Error("boom"), { code: "E_STORE_BUSY" });
          seen.push(t.toISOString());
        },
      },
      false,
    );
    await Promise.all([loop.runNow(), loop.runNow()]);
    now = new Date("2026-11-02T00:00:00Z");
    await loop.runNow();
    await loop.stop();
    await loop.runNow();
    expect(seen).toEqual(["2026-11-01T00:00:00.000Z", "2026-11-02T00:00:00.000Z"]);
    expect(lines.join("\n")).toContain("reminder pass failed: E_STORE_BUSY");
  });
});
