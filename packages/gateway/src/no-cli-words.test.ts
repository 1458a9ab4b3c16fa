import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The gateway answers API clients, not people at the apikey CLI: its texts never name a CLI command or flag
// (the CLI adds its own hints to the coded errors it gets). This scans every string literal in the gateway's
// source, so a new message cannot slip one in.

const here = import.meta.dirname;
const sources = readdirSync(here).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

/** String and template literals of a source, comments removed first. */
function literals(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...code.matchAll(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g)].map((m) => m[0]);
}

const CLI_WORDS = [
  /\bapikey (proxy|use|budget|token|add|list|profile|rotate|enable|disable)\b/,
  /(^|[\s`"'(])--[a-z]/,
];

describe("gateway texts name no CLI command or flag", () => {
  it("holds for every string literal in packages/gateway/src", () => {
    expect(sources.length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const file of sources) {
      for (const literal of literals(readFileSync(join(here, file), "utf8"))) {
        if (CLI_WORDS.some((re) => re.test(literal))) found.push(`${file}: ${literal}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("would catch one (the scan is not vacuous)", () => {
    const bad = literals('const m = "raise it with `apikey budget set NAME 5 --block`";');
    expect(bad.some((l) => CLI_WORDS.some((re) => re.test(l)))).toBe(true);
  });
});
