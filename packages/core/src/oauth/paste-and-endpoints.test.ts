import { describe, expect, it } from "vitest";
import { parsePastedResponse } from "./authorize.ts";
import { checkEndpoint } from "./endpoints.ts";

describe("parsePastedResponse", () => {
  it("reads code#state, a redirect URL, a query string and a bare code", () => {
    expect(Object.fromEntries(parsePastedResponse(" abc#xyz\n"))).toEqual({ code: "abc", state: "xyz" });
    expect(
      Object.fromEntries(parsePastedResponse("http://127.0.0.1:5/callback?code=c&state=s&iss=i")),
    ).toEqual({
      code: "c",
      state: "s",
      iss: "i",
    });
    expect(Object.fromEntries(parsePastedResponse("?code=c&state=s"))).toEqual({ code: "c", state: "s" });
    expect(Object.fromEntries(parsePastedResponse("justacode"))).toEqual({ code: "justacode" });
  });

  it("refuses empty input and input with spaces: E_OAUTH_CODE", () => {
    for (const bad of ["", "   ", "two words"]) {
      expect(() => parsePastedResponse(bad)).toThrow(expect.objectContaining({ code: "E_OAUTH_CODE" }));
    }
  });
});

describe("checkEndpoint", () => {
  it("accepts https anywhere and plain http on loopback only", () => {
    expect(checkEndpoint("https://auth.example.com/x", "issuer").href).toBe("https://auth.example.com/x");
    for (const ok of ["http://127.0.0.1:8080", "http://localhost/", "http://[::1]:3000/t"]) {
      expect(checkEndpoint(ok, "issuer").protocol).toBe("http:");
    }
    for (const bad of [
      "http://auth.example.com",
      "http://127.0.0.1.evil.com",
      "ftp://x",
      "not a url",
      "https://u:p@x",
    ]) {
      expect(() => checkEndpoint(bad, "issuer")).toThrow(expect.objectContaining({ code: "E_OAUTH_CONFIG" }));
    }
  });
});
