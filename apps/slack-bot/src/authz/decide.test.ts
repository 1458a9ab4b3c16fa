import { describe, expect, it } from "vitest";
import { parsePolicy } from "./config-file.ts";
import { type Actor, type Directory, decide, visibleProfiles } from "./decide.ts";

const policy = parsePolicy(`
workspaces: { teams: [T0TEAM], enterprises: [E0GRID] }
profiles:
  prod:
    view: { groups: [S0ENG] }
    operate: { users: [U0OPS], admins: true }
  dev:
    operate: { groups: [S0ENG] }
`);

function directory(admins: string[] = [], groups: Record<string, string[]> = {}) {
  const asked: string[] = [];
  const dir: Directory = {
    async isWorkspaceAdmin(u) {
      asked.push(`admin:${u}`);
      return admins.includes(u);
    },
    async groupMembers(g) {
      asked.push(`group:${g}`);
      return new Set(groups[g] ?? []);
    },
  };
  return { dir, asked };
}

const person = (userId: string, teamId: string | undefined = "T0TEAM", enterpriseId?: string): Actor => ({
  userId,
  teamId,
  enterpriseId,
});

describe("decide", () => {
  it("denies another workspace before looking anything up", async () => {
    const { dir, asked } = directory(["U0OPS"]);
    expect(await decide(policy, dir, person("U0OPS", "T0OTHER"), "prod", "view")).toEqual({
      allowed: false,
      reason: "workspace",
    });
    expect(asked).toEqual([]);
  });

  it("allows an enterprise listed in the file whatever the team", async () => {
    const { dir } = directory();
    expect((await decide(policy, dir, person("U0OPS", "T0ELSE", "E0GRID"), "prod", "operate")).allowed).toBe(
      true,
    );
  });

  it("lets operators view, viewers only view, and strangers nothing", async () => {
    const { dir } = directory([], { S0ENG: ["U0DEV"] });
    expect((await decide(policy, dir, person("U0OPS"), "prod", "view")).allowed).toBe(true);
    expect((await decide(policy, dir, person("U0DEV"), "prod", "view")).allowed).toBe(true);
    expect(await decide(policy, dir, person("U0DEV"), "prod", "operate")).toEqual({
      allowed: false,
      reason: "profile",
    });
    expect((await decide(policy, dir, person("U0STRANGER"), "prod", "view")).allowed).toBe(false);
  });

  it("denies a profile the file does not mention", async () => {
    const { dir } = directory(["U0OPS"]);
    expect((await decide(policy, dir, person("U0OPS"), "staging", "view")).allowed).toBe(false);
  });

  it("asks Slack only when a rule needs it: listed users first, admins last", async () => {
    const listed = directory(["U0BOSS"]);
    await decide(policy, listed.dir, person("U0OPS"), "prod", "operate");
    expect(listed.asked).toEqual([]);
    const admin = directory(["U0BOSS"]);
    expect((await decide(policy, admin.dir, person("U0BOSS"), "prod", "operate")).allowed).toBe(true);
    expect(admin.asked).toEqual(["admin:U0BOSS"]);
  });

  it("lists the profiles a person may see", async () => {
    const { dir } = directory([], { S0ENG: ["U0DEV"] });
    expect(await visibleProfiles(policy, dir, person("U0DEV"), ["default", "dev", "prod"])).toEqual([
      "dev",
      "prod",
    ]);
    expect(await visibleProfiles(policy, dir, person("U0DEV"), ["dev", "prod"], "operate")).toEqual(["dev"]);
  });
});
