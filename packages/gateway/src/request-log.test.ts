import { describe, expect, it } from "vitest";
import { field, logSink } from "./request-log.ts";

describe("issue 20 item 13: gateway log lines escape what came from outside", () => {
  it.each([
    ["claude-haiku-4-5", "claude-haiku-4-5"],
    ["/v1/messages", "/v1/messages"],
    ["two words", '"two words"'],
    ['a"b', '"a\\"b"'],
    ["x\nPOST /v1/messages ok 200", '"x\\nPOST /v1/messages ok 200"'],
    ["\u001b[31mred\u0007", '"\\u001b[31mred\\u0007"'],
    ["é", '"é"'],
    ["", '""'],
  ])("field(%j) is %s", (value, shown) => {
    expect(field(value)).toBe(shown);
  });

  it("every line leaves through one sink that escapes C0, DEL, C1, line separators and bidi controls", () => {
    const seen: string[] = [];
    const log = logSink((line) => seen.push(line));
    log("a\u001bb\u0007c\rd\ne\u007ff\u009bg\u2028h\u2029i\u202ej\u2066k");
    expect(seen).toEqual(["a\\x1bb\\x07c\\x0dd\\x0ae\\x7ff\\x9bg\\u2028h\\u2029i\\u202ej\\u2066k"]);
  });
});
