import { describe, expect, it } from "vitest";
import { MAX_TEXT, parseCommand } from "./parse.ts";

const cmd = (text: string) => {
  const r = parseCommand(text);
  if (!r.ok) throw new Error(`expected a command, got: ${r.message}`);
  return r.command;
};
const err = (text: string) => {
  const r = parseCommand(text);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.command)}`);
  return r.message;
};

describe("parseCommand", () => {
  it("reads every subcommand with its arguments", () => {
    expect(cmd("")).toEqual({ kind: "help" });
    expect(cmd("  help ")).toEqual({ kind: "help" });
    expect(cmd("list")).toEqual({ kind: "list", profile: undefined });
    expect(cmd("list prod")).toEqual({ kind: "list", profile: "prod" });
    expect(cmd("status")).toEqual({ kind: "status" });
    expect(cmd("use work-2")).toEqual({ kind: "use", name: "work-2", profile: undefined });
    expect(cmd("USE work-2 prod")).toEqual({ kind: "use", name: "work-2", profile: "prod" });
    expect(cmd("add")).toEqual({ kind: "add", profile: undefined });
    expect(cmd("add prod")).toEqual({ kind: "add", profile: "prod" });
    expect(cmd("rotate work")).toEqual({ kind: "rotate", name: "work" });
    expect(cmd("validate work")).toEqual({ kind: "validate", name: "work" });
    expect(cmd("disable work")).toEqual({ kind: "disable", name: "work" });
    expect(cmd("enable work")).toEqual({ kind: "enable", name: "work" });
    expect(cmd("delete work")).toEqual({ kind: "delete", name: "work" });
    expect(cmd("rename work work-old")).toEqual({ kind: "rename", name: "work", newName: "work-old" });
    expect(cmd("budget set work 50")).toEqual({ kind: "budget-set", name: "work", usd: 50, block: false });
    expect(cmd("budget set work $12.50 block")).toEqual({
      kind: "budget-set",
      name: "work",
      usd: 12.5,
      block: true,
    });
    expect(cmd("budget clear work")).toEqual({ kind: "budget-clear", name: "work" });
    expect(cmd("audit")).toEqual({ kind: "audit", limit: 10 });
    expect(cmd("audit 25")).toEqual({ kind: "audit", limit: 25 });
  });

  it("reads usage options in any order, with defaults", () => {
    expect(cmd("usage")).toEqual({ kind: "usage", window: "7d", by: "day", key: undefined });
    expect(cmd("usage 30d by model")).toEqual({ kind: "usage", window: "30d", by: "model", key: undefined });
    expect(cmd("usage key work by key 7d")).toEqual({ kind: "usage", window: "7d", by: "key", key: "work" });
    expect(err("usage by week")).toContain("usage [7d|30d]");
    expect(err("usage key")).toContain("usage [7d|30d]");
    expect(err("usage 90d")).toContain("usage [7d|30d]");
  });

  it("refuses wrong arity with the command's usage", () => {
    expect(err("use")).toContain("/apikey use NAME [profile]");
    expect(err("rotate")).toContain("/apikey rotate NAME");
    expect(err("rotate a b")).toContain("/apikey rotate NAME");
    expect(err("rename a")).toContain("/apikey rename NAME NEW");
    expect(err("delete")).toContain("/apikey delete NAME");
    expect(err("status now")).toContain("/apikey status");
    expect(err("add prod extra")).toContain("the key goes in the form");
  });

  it("refuses bad amounts and counts", () => {
    expect(err("budget set work fifty")).toContain("USD must be");
    expect(err("budget set work -5")).toContain("USD must be");
    expect(err("budget set work 5 now")).toContain("budget set NAME USD [block]");
    expect(err("budget work")).toContain("budget set NAME USD [block]");
    expect(err("audit 0")).toContain("from 1 to 500");
    expect(err("audit 501")).toContain("from 1 to 500");
    expect(err("audit x")).toContain("from 1 to 500");
  });

  it("names an unknown subcommand briefly, without markup that Slack would render", () => {
    const message = err("frobnicate <@U123> *bold*");
    expect(message).toContain("`frobnicate`");
    expect(message).toContain("/apikey help");
    expect(err("<!channel>")).not.toContain("<!channel>");
    // Only a short plain word is quoted: a long one, look-alikes or invisible characters are not quoted at all.
    for (const word of ["a".repeat(60), "ｆｒｏｂ", "frob\u202eevil", "naïve"]) {
      expect(err(word)).toContain("Unknown subcommand.");
      expect(err(word)).not.toContain(word.slice(0, 4));
    }
  });

  it("refuses oversized text without quoting it", () => {
    const text = `list ${"x".repeat(MAX_TEXT)}`;
    const message = err(text);
    expect(message).toContain("too long");
    expect(message).not.toContain("xxxxxxxx");
  });
});

describe("issue 20 item 14: the bot reads money with core's one parser", () => {
  it("refuses what the CLI refuses and reads what it reads", () => {
    for (const amount of [
      "0x10",
      "0b11",
      "0o7",
      "1e2",
      "Infinity",
      "+5",
      "1_000",
      "\uff15",
      "\u0665",
      ".5",
      "0",
    ]) {
      expect(err(`budget set work ${amount}`), amount).toContain("USD must be");
    }
    for (const [amount, usd] of [
      ["50", 50],
      ["$12.5", 12.5],
      ["0.02", 0.02],
      ["1000000000", 1_000_000_000],
    ] as const) {
      expect(cmd(`budget set work ${amount}`)).toEqual({
        kind: "budget-set",
        name: "work",
        usd,
        block: false,
      });
    }
  });
});
