import { describe, expect, it } from "vitest";
import { PolicyFileError, parsePolicy } from "./config-file.ts";

const GOOD = `# who may use the bot
workspaces:
  teams: [T0TEAM]
announcements: C0ANNOUNCE
profiles:
  prod:
    view:
      groups: [S0ENG]
    operate:
      users: [U0OPS]
      admins: true
  "*":
    view:
      users: [U0AUDITOR]
`;

const lineOf = (text: string): string => {
  try {
    parsePolicy(text);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyFileError);
    return (err as Error).message;
  }
  throw new Error("expected a PolicyFileError");
};

describe("parsePolicy", () => {
  it("reads a complete file", () => {
    const p = parsePolicy(GOOD);
    expect([...p.teams]).toEqual(["T0TEAM"]);
    expect(p.announcementChannel).toBe("C0ANNOUNCE");
    expect(p.profiles.get("prod")?.operate).toEqual({ users: ["U0OPS"], groups: [], admins: true });
    expect(p.profiles.get("*")?.view?.users).toEqual(["U0AUDITOR"]);
  });

  it("names the line of a bad id, without quoting it", () => {
    const message = lineOf(GOOD.replace("U0OPS", "bob-sk-ant-LEAK"));
    expect(message).toMatch(
      /^APIKEY_SLACK_CONFIG line 10: profiles\.prod\.operate\.users\[0\]: expected a Slack user id/,
    );
    expect(message).not.toContain("LEAK");
  });

  it("names the line of a misspelt key", () => {
    expect(lineOf(GOOD.replace("operate:", "operator:"))).toMatch(/line 9: profiles\.prod: unknown setting/);
  });

  it("names the line of a YAML syntax error", () => {
    expect(lineOf(GOOD.replace("teams: [T0TEAM]", "teams: [T0TEAM"))).toMatch(/line \d+: not valid YAML/);
  });

  it("refuses a file that allows no workspace, and a duplicate key", () => {
    expect(lineOf("workspaces: {}\nprofiles: {}\n")).toMatch(/line 1: workspaces: list at least one/);
    expect(lineOf(`${GOOD}announcements: C0OTHER\n`)).toMatch(/line 15: not valid YAML \(DUPLICATE_KEY\)/);
  });
});
