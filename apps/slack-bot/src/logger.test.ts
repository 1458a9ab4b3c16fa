import { fakeApiKey } from "@apikey/core/testing";
import { LogLevel } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { redact, redactingLogger } from "./logger.ts";

describe("redactingLogger", () => {
  it("replaces keys, Slack tokens, signatures and configured secrets", () => {
    const lines: string[] = [];
    const log = redactingLogger({
      secrets: ["0123456789abcdef0123456789abcdef"],
      write: (l) => lines.push(l),
    });
    const key = fakeApiKey("LOG");
    log.warn(`got ${key} with xoxb-1111-2222-abcdefgh and xapp-1-A1-abcdefgh`, { text: `add ${key}` });
    log.error(new Error(`secret 0123456789abcdef0123456789abcdef v0=${"a".repeat(64)}`));
    const out = lines.join("\n");
    expect(out).not.toContain("FAKE_TEST");
    expect(out).not.toContain("xoxb-1111");
    expect(out).not.toContain("xapp-1-A1");
    expect(out).not.toContain("0123456789abcdef0123");
    expect(out).not.toContain("aaaaaaaa");
    expect(out.match(/\[redacted\]/g)?.length).toBe(6);
  });

  it("never logs at DEBUG, even when Bolt asks for it", () => {
    const lines: string[] = [];
    const log = redactingLogger({ write: (l) => lines.push(l), level: LogLevel.DEBUG });
    log.setLevel(LogLevel.DEBUG);
    log.debug("request body: text=hello");
    log.info("started");
    expect(log.getLevel()).toBe(LogLevel.INFO);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("INFO");
  });

  it("catches a truncated key too", () => {
    expect(redact("prefix sk-ant-api03-abcdefgh")).toBe("prefix [redacted]");
  });
});
