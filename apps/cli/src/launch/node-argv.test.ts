import { propertySeed, seededRandom } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { LAUNCHED, launchedArgv, nodeReadsArgument } from "./node-argv.ts";

describe("issue 20 item 1: the arguments Node reads itself", () => {
  it("knows every spelling Node 20/22 match, and nothing else", () => {
    for (const [arg, flag] of [
      ["--env-file", "--env-file"],
      ["--env-file=.env", "--env-file"],
      ["--env-file-if-exists", "--env-file-if-exists"],
      ["--env-file-if-exists=x", "--env-file-if-exists"],
      ["--experimental-config-file", "--experimental-config-file"],
      ["--experimental-config-file=c.json", "--experimental-config-file"],
      ["--experimental-default-config-file", "--experimental-default-config-file"],
      ["--experimental-default-config-fileXYZ", "--experimental-default-config-file"],
    ])
      expect(nodeReadsArgument(arg as string), arg).toBe(flag);
    for (const arg of [
      "--dotenv",
      "--env",
      "--env-files",
      "-env-file",
      "--ENV-FILE",
      "+--env-file",
      "x--env-file",
      "",
    ])
      expect(nodeReadsArgument(arg), arg).toBeNull();
  });

  it("refuses them among apikey's own arguments, with the flag apikey has", () => {
    const r = launchedArgv([LAUNCHED, "+exec", "+--env-file=.env", "+--", "+true"]);
    expect(r).toMatchObject({ ok: false, hint: expect.stringContaining("--dotenv") });
    // After `--` they belong to exec's command; the launcher kept Node from reading them.
    expect(launchedArgv([LAUNCHED, "+exec", "+--", "+node", "+--env-file", "+.env"])).toEqual({
      ok: true,
      argv: ["exec", "--", "node", "--env-file", ".env"],
    });
    // Without the launcher Node may have read any of them already: stop.
    expect(launchedArgv(["exec", "--", "node", "--env-file", ".env"]).ok).toBe(false);
    expect(launchedArgv([LAUNCHED, "unprefixed"]).ok).toBe(false);
  });

  it("property: whatever the arguments, the launcher's encoding round-trips (seeded)", () => {
    const seed = propertySeed("launcher argv property test", 0x1a0c4);
    const random = seededRandom(seed);
    const parts = ["a", "+", "-", "--", "=", " ", "\n", "é", "env", "file", "'", '"', "$", "*"];
    for (let round = 0; round < 1000; round++) {
      const argv = Array.from({ length: Math.floor(random() * 6) }, () =>
        Array.from(
          { length: Math.floor(random() * 5) },
          () => parts[Math.floor(random() * parts.length)],
        ).join(""),
      );
      const r = launchedArgv([LAUNCHED, ...argv.map((a) => `+${a}`)]);
      const dashDash = argv.indexOf("--");
      const own = dashDash === -1 ? argv : argv.slice(0, dashDash);
      if (own.some((a) => nodeReadsArgument(a) !== null))
        expect(r.ok, `seed ${seed} round ${round}`).toBe(false);
      else expect(r, `seed ${seed} round ${round}`).toEqual({ ok: true, argv });
    }
  });
});
