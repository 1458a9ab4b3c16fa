import { afterEach, describe, expect, it } from "vitest";
import { fakeAdminKey, fakeApiKey, keyBody } from "../../../tests/fixtures/keys.ts";
import { redact } from "../src/logger.ts";
import { everythingSeen, type Harness, OPS, startHarness } from "./harness.ts";

// Issue 21: the bot's key guard and its log redaction apply core's one key-shape rule (key-shapes.ts, folded by
// loose-keys.ts), so every spelling the CLI refuses is refused here too, and none reaches a log line.

const KEY = fakeApiKey("SLACK21");
const BODY = KEY.slice("sk-ant-".length);
const FULLWIDTH = (s: string) =>
  [...s]
    .map((c) => (c >= "!" && c <= "~" ? String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0) : c))
    .join("");

const SPELLINGS = [
  `use ${KEY}`,
  `use ${KEY.toUpperCase()}`,
  `use ${fakeAdminKey("SLACK21")}`,
  `use s\u0301k-ant-${BODY}`,
  `use ѕк-аnt-${BODY}`,
  `use ${FULLWIDTH(KEY)}`,
  `use sk-ant-api3-${BODY.slice(6, 30)}`,
  `use sk-ant-organisation01-${BODY.slice(6, 20)}`,
  `use ${KEY.slice(0, 60)}\n${KEY.slice(60)}`,
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("issue 21: the Slack key guard and log redaction use core's one key-shape rule", () => {
  it("refuses every spelling in a command, tells the person to rotate, echoes nothing", async () => {
    h = await startHarness();
    const texts: string[] = [];
    for (const text of SPELLINGS) {
      const res = await h.command(OPS, text);
      texts.push(res.text);
      expect(String((res.json as { text?: string })?.text), JSON.stringify(text)).toContain("rotate");
    }
    expect(everythingSeen(h, texts)).not.toContain(keyBody(KEY).slice(10, 30));
    expect(h.logs.filter((l) => l.includes("key-in-text")).length).toBe(SPELLINGS.length);
  });

  it("redacts every spelling from a log line, and keeps the words around it", () => {
    for (const text of SPELLINGS) {
      const line = redact(`slash command text=${JSON.stringify(text)} from U0OPS`);
      expect(line, JSON.stringify(text)).not.toMatch(/FAKE_TEST|ＦＡＫＥ/);
      expect(line).toMatch(/^slash command text="use \[redacted\]" from U0OPS$/);
    }
  });
});
