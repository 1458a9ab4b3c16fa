import { describe, expect, it } from "vitest";
import { createProgress } from "./progress.ts";

describe("issue 23 item 6: progress is throttled, in place, erased, and absent when not enabled", () => {
  it("draws at most once per interval, each draw replacing the line, and erases it at the end", () => {
    let clock = 0;
    const out: string[] = [];
    const p = createProgress({ enabled: true, write: (t) => out.push(t), now: () => clock, intervalMs: 100 });
    for (let i = 1; i <= 1000; i++) {
      clock = i; // 1 ms per item: 1000 items over 1 s
      p.update(() => `${i} files`);
    }
    p.done();
    expect(out.length).toBeGreaterThanOrEqual(10);
    expect(out.length).toBeLessThanOrEqual(12);
    expect(out.slice(0, -1).every((t) => t.startsWith("\r\x1b[K"))).toBe(true);
    expect(out.at(-1)).toBe("\r\x1b[K");
  });

  it("disabled: never writes, never even builds the text", () => {
    const out: string[] = [];
    const p = createProgress({ enabled: false, write: (t) => out.push(t) });
    p.update(() => {
      throw new Error("built");
    });
    p.done();
    expect(out).toEqual([]);
  });

  it("a path with escapes or a long name cannot steer the terminal or wrap the line", () => {
    const out: string[] = [];
    const p = createProgress({ enabled: true, write: (t) => out.push(t), columns: 40 });
    p.update(() => `scanning ${"x".repeat(100)}\x1b]0;title\x07\n`);
    const line = out[0]?.slice("\r\x1b[K".length) ?? "";
    expect(line.length).toBeLessThanOrEqual(39);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
    expect(line).not.toMatch(/[\x00-\x1f\x7f]/);
  });

  it("nothing drawn: done() writes nothing", () => {
    const out: string[] = [];
    createProgress({ enabled: true, write: (t) => out.push(t) }).done();
    expect(out).toEqual([]);
  });
});
