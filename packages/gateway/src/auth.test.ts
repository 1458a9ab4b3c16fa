import { describe, expect, it } from "vitest";
import { presentedCredential } from "./auth.ts";
import { isLoopbackHost } from "./hosts.ts";

describe("credential extraction", () => {
  it("reads x-api-key first, then a Bearer authorization", () => {
    expect(presentedCredential({ "x-api-key": "a", authorization: "Bearer b" })).toEqual({
      scheme: "x-api-key",
      value: "a",
    });
    expect(presentedCredential({ authorization: "bearer  b " })).toEqual({ scheme: "bearer", value: "b" });
    expect(presentedCredential({ authorization: "Basic Zm9vOmJhcg==" })).toBeNull();
    expect(presentedCredential({})).toBeNull();
  });
});

describe("loopback hosts", () => {
  it("allows only addresses this machine alone can reach", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"]) {
      expect(isLoopbackHost(h)).toBe(true);
    }
    for (const h of ["0.0.0.0", "::", "192.168.1.2", "10.0.0.1", "example.com", "128.0.0.1"]) {
      expect(isLoopbackHost(h)).toBe(false);
    }
  });
});
