import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonError, jsonOut, makeHome, runCli, type TestHome } from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 20 item 14: `proxy token create --budget` took `0x10`, `0b11`, `0o7`, `1e2` (JavaScript's Number())
// while `budget set` refused them. Every front now reads money with core's one parser: the same spellings are
// refused everywhere with E_USAGE and write nothing, and the same amounts are read alike (the Slack bot's
// side is in apps/slack-bot/src/commands/parse.test.ts).
// The two commands are CLI runs; the key they budget is added in process, and the tokens and audit entries they
// left are read back in process (what `proxy token list --json` and `audit --json` print).

const NOT_MONEY = ["0x10", "0b11", "0o7", "1e2", "Infinity", "+5", "1_000", "\uff15", "\u0665", ".5", "0"];
const MONEY: Array<[string, number]> = [
  ["50", 50],
  ["$12.5", 12.5],
  ["0.02", 0.02],
];

let home: TestHome;
const cli = (args: string[]) => runCli(["--json", ...args], { home });
/** How many entries `audit --json` prints (its default limit, 50). */
const auditLength = async () => (await inProcess(home, (app) => app.audit({ limit: 50 }))).length;
const tokenList = () => inProcess(home, (app) => app.tokens.list());

beforeAll(async () => {
  home = await makeHome();
  await inProcess(home, (app) =>
    app.keys.add({ name: "work", secret: fakeApiKey("MONEY_WORK"), validate: false }),
  );
});
afterAll(() => home.cleanup());

describe("issue 20 item 14: one money parser for every front", () => {
  it("refuses the same spellings in proxy token create and budget set, writing nothing", async () => {
    const auditBefore = await auditLength();
    for (const [i, amount] of NOT_MONEY.entries()) {
      const token = await cli(["proxy", "token", "create", `t${i}`, "--budget", amount, "--block"]);
      expect(token.code, `token --budget ${amount}`).toBe(2);
      expect(jsonError(token).code).toBe("E_USAGE");
      const budget = await cli(["budget", "set", "work", amount]);
      expect(budget.code, `budget set ${amount}`).toBe(2);
      expect(jsonError(budget).code).toBe("E_USAGE");
    }
    expect(await tokenList()).toEqual([]);
    expect(await auditLength()).toBe(auditBefore);
  });

  it("reads the same amounts alike in both commands", async () => {
    for (const [i, [amount, usd]] of MONEY.entries()) {
      const token = await cli(["proxy", "token", "create", `ok${i}`, "--budget", amount]);
      expect(token.code, token.stderr).toBe(0);
      const budget = jsonOut<{ budgetUsd: number }>(await cli(["budget", "set", "work", amount]));
      expect(budget.budgetUsd).toBe(usd);
    }
    const listed = await tokenList();
    expect(listed.map((t) => [t.name, t.budgetUsd]).sort()).toEqual(
      MONEY.map(([, usd], i) => [`ok${i}`, usd]),
    );
  });
});
