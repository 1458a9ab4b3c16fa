import { describe, expect, it } from "vitest";
import { fakeApiKey } from "../test-keys.ts";
import { findReferences, isReferenceLike, parseReference } from "./parse.ts";

describe("parseReference", () => {
  it("reads PROFILE/NAME and PROFILE alone", () => {
    expect(parseReference("apikey://work/ci")).toEqual({
      text: "apikey://work/ci",
      profile: "work",
      name: "ci",
    });
    expect(parseReference(" apikey://default ")).toEqual({ text: "apikey://default", profile: "default" });
  });

  it("refuses malformed references with a code, never echoing them", () => {
    const key = fakeApiKey("REF");
    for (const bad of ["apikey://", "apikey://a/b/c", "apikey://-x", "apikey://work/", `apikey://${key}/x`]) {
      let thrown: unknown;
      try {
        parseReference(bad);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toMatchObject({ code: "E_REFERENCE_INVALID" });
      expect(
        JSON.stringify({ m: (thrown as Error).message, d: (thrown as { details: unknown }).details }),
      ).not.toContain(key);
    }
  });

  it("tells reference-like values from plain ones", () => {
    expect(isReferenceLike("apikey://work")).toBe(true);
    expect(isReferenceLike("https://example.com")).toBe(false);
  });

  it("finds references inside a template", () => {
    const text = 'a: "apikey://work/ci"\nb: apikey://prod\n';
    expect(findReferences(text).map((r) => text.slice(r.index, r.index + r.length))).toEqual([
      "apikey://work/ci",
      "apikey://prod",
    ]);
  });
});
