import { propertySeed, seededRandom } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { blockProblems } from "../../../../tests/fixtures/slack-block-limits.ts";
import { PageRef } from "../payload.ts";
import { fit, LIMITS } from "./limits.ts";
import { type Item, messagePage, sections } from "./paging.ts";

// Issue 22 item 6, the paging rule on its own: seeded random lists of lines (lengths up to past a section's limit,
// emoji, escapes) always page into messages Slack accepts, and every line is on exactly one page, in order.

const SEED = propertySeed("paging fuzz", 2206);

const PIECES = ["a", "Z", "-", "&amp;", "😀", "é", "*b*", " ", "`x`"];

describe("issue 22 item 6: paging keeps every line and every page within Slack's limits (seeded)", () => {
  it(`random lists page into accepted messages, nothing lost (seed ${SEED})`, () => {
    const rnd = seededRandom(SEED);
    for (let round = 0; round < 60; round++) {
      const groups = 1 + Math.floor(rnd() * 8);
      const items: Item[] = [];
      const expected: string[] = [];
      for (let g = 0; g < groups; g++) {
        const lines = Array.from({ length: Math.floor(rnd() * 300) }, (_, i) => {
          const len = rnd() < 0.02 ? 3200 : 1 + Math.floor(rnd() * 160);
          let line = `L${round}.${g}.${i} `;
          while (line.length < len) line += PIECES[Math.floor(rnd() * PIECES.length)];
          return line;
        });
        expected.push(...lines.map((l) => fit(l, 2000).replace(/…$/, "")));
        items.push(...sections(`Group *g${g}*`, lines));
      }
      const seen: string[] = [];
      let page = 0;
      for (let guard = 0; guard < 500; guard++) {
        const shown = messagePage(items, page, (p) => JSON.stringify({ v: "list", p }));
        expect(blockProblems("message", shown.blocks)).toEqual([]);
        for (const b of shown.blocks) {
          const text = (b as { text?: { text?: string } }).text?.text;
          if (b.type === "section" && text) seen.push(...text.split("\n").slice(1));
        }
        if (shown.page + 1 >= shown.pages) break;
        page = shown.page + 1;
      }
      // Every line, in order, each on one page (a line too long alone is cut with "…", never dropped).
      expect(seen.length).toBe(expected.length);
      seen.forEach((line, i) => {
        expect(line.startsWith(expected[i]?.slice(0, 20) ?? "")).toBe(true);
        expect(line.length).toBeLessThanOrEqual(LIMITS.sectionText);
      });
    }
  });

  it("a page button's value is read back only as a known page reference", () => {
    const rnd = seededRandom(SEED + 1);
    for (let i = 0; i < 500; i++) {
      const v = ["list", "status", "audit", "usage", "home", "x"][Math.floor(rnd() * 6)];
      const p = [0, 3, -1, 1.5, 10_001, "2"][Math.floor(rnd() * 6)];
      const extras: Array<{ n?: number; profile?: string }> = [
        {},
        { n: 500 },
        { n: 501 },
        { profile: "prod" },
        { profile: "<!channel>" },
      ];
      const extra = extras[Math.floor(rnd() * extras.length)] ?? {};
      const candidate = { v, p, ...extra };
      const ok = PageRef.safeParse(candidate).success;
      const wellFormed =
        typeof p === "number" &&
        Number.isInteger(p) &&
        p >= 0 &&
        p <= 10_000 &&
        (v === "list"
          ? !("n" in extra) && (!("profile" in extra) || extra.profile === "prod")
          : v === "status" || v === "home"
            ? Object.keys(extra).length === 0
            : v === "audit"
              ? "n" in extra && extra.n === 500
              : false);
      expect(ok, JSON.stringify(candidate)).toBe(wellFormed);
    }
  });
});
