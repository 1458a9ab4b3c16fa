import { readFileSync } from "node:fs";
import { relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { moduleSources, ROOT } from "./walk.ts";

// Issue 21: a rule written twice drifts. The key-shape patterns live in core/src/key-shapes.ts only; every other
// module derives its patterns from there. This reads every source module of apps/* and packages/* (tests, test
// support, generated and vendored copies aside) with the TypeScript parser and lists each regular expression, literal
// or `new RegExp(…)`, that spells the credential prefix itself.

const HOME = "packages/core/src/key-shapes.ts";

/** The text of every regex literal and every string or template handed to `RegExp(…)` in a module. */
function regexTexts(path: string, text = readFileSync(path, "utf8")): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isRegularExpressionLiteral(node)) out.push(node.text);
    if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "RegExp"
    ) {
      for (const arg of node.arguments ?? []) out.push(arg.getText(file));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

const SPELLS_PREFIX = /sk\\*-\\*ant/i;

describe("issue 21: one home for the key-shape rule", () => {
  it("no regular expression outside key-shapes.ts spells the credential prefix", () => {
    const files = moduleSources();
    expect(files.length).toBeGreaterThan(100);
    // Only a module whose text spells the prefix at all can hold such a pattern: parse just those.
    const offences = files
      .filter((f) => relative(ROOT, f) !== HOME && SPELLS_PREFIX.test(readFileSync(f, "utf8")))
      .flatMap((f) =>
        regexTexts(f)
          .filter((r) => SPELLS_PREFIX.test(r))
          .map((r) => `${relative(ROOT, f)}: ${r}`),
      );
    expect(offences).toEqual([]);
  });

  it("the guard sees what it looks for: literals and RegExp(…) arguments, not comments or messages", () => {
    const sample = [
      "// a comment about /sk-ant-/ is not a pattern",
      'const hint = "starts with sk-ant-api03-";',
      "const a = /sk-ant-[a-z]+\\d{2}-/i;",
      "const b = new RegExp(`(?:sk-ant-oat01-[A-Za-z0-9_-]{40,300})`, 'g');",
      'const c = RegExp("sk\\\\-ant");',
    ].join("\n");
    expect(regexTexts("sample.ts", sample).filter((r) => SPELLS_PREFIX.test(r))).toHaveLength(3);
  });
});
