import { describe, expect, it } from "vitest";
import { repeatedKey } from "./profile-files.ts";

// Issue 26: a profile file that names a field twice is refused (JSON.parse would silently keep the last).
describe("issue 26: repeatedKey", () => {
  it.each([
    ['{"a":1,"a":2}', "a"],
    ['{"x":{"b":1,"c":{"b":2},"b":3}}', "b"],
    ['{"a\\u0022":1,"a\\"":2}', 'a"'],
    ['[{"a":1},{"a":2}]', null],
    ['{"a":"\\"a\\":","b":["a","a"]}', null],
    ['{"a":{"a":1}}', null],
  ])("%s → %s", (json, expected) => {
    JSON.parse(json);
    expect(repeatedKey(json)).toBe(expected);
  });
});
