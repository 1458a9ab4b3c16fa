import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { walkFiles } from "./walk.ts";

// Issue 7, item 5: the shared packages speak no front's syntax. A core or storage message that says "run
// `apikey budget set …`" or "pass --profile" would tell a Slack or Raycast user to type flags they do not have;
// each front turns codes and details into its own words (apps/cli/src/io/hints.ts, the bot's and Raycast's hint
// modules). This scans every string literal in packages/*/src (tests aside) for a CLI command line or a --flag.

const PACKAGES = fileURLToPath(new URL("../../../", import.meta.url));
const COMMANDS =
  "add|list|ls|use|current|env|exec|rename|disable|enable|delete|rm|validate|profile|audit|status|show|reveal|" +
  "rotate|rekey|export|import|oauth|login|usage|budget|proxy|slot|completion";
const COMMAND_LINE = new RegExp(`\\bapikey (${COMMANDS})\\b`);
const FLAG = /(^|[\s`'"(=])--[a-z][a-z-]+/;

const SOURCES = {
  skipDirs: ["testing"],
  include: /\.ts$/,
  exclude: /\.test\.ts$|contract\.ts$|\.generated\.ts$/,
};

/** String and template literals of a TypeScript file, comments removed first (a rough but sufficient lexer). */
function literals(text: string): string[] {
  const out: string[] = [];
  const re = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g;
  for (const m of text.matchAll(re)) if (!m[0].startsWith("/")) out.push(m[0]);
  return out;
}

it("item 5: no string in packages/*/src holds an `apikey …` command line or a --flag", () => {
  const offences: string[] = [];
  const files = readdirSync(PACKAGES).flatMap((p) => walkFiles(join(PACKAGES, p, "src"), SOURCES));
  expect(files.length).toBeGreaterThan(50);
  for (const file of files) {
    for (const literal of literals(readFileSync(file, "utf8"))) {
      if (COMMAND_LINE.test(literal) || FLAG.test(literal))
        offences.push(`${relative(PACKAGES, file)}: ${literal}`);
    }
  }
  expect(offences).toEqual([]);
});
