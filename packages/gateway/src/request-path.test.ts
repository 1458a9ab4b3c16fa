import { describe, expect, it } from "vitest";
import { allowedHostHeaders } from "./hosts.ts";
import { checkRequestPath } from "./request-path.ts";

describe("item 5: request paths", () => {
  it.each([
    ["/v1/messages", "/v1/messages"],
    ["/v1/messages?beta=true", "/v1/messages?beta=true"],
    ["/v1/models?limit=2&after_id=x", "/v1/models?limit=2&after_id=x"],
    ["/v1//messages", "/v1/messages"],
    ["/v1/./messages", "/v1/messages"],
    ["/v1/x/../messages", "/v1/messages"],
    ["/v1/files/file%20one", "/v1/files/file%20one"],
    ["/v1/messages?next=/../admin", "/v1/messages?next=/../admin"],
  ])("item 5: %s is forwarded as %s", (url, target) => {
    expect(checkRequestPath(url)).toMatchObject({ ok: true, target });
  });

  it.each([
    "/v1/../admin",
    "/../v1/messages",
    "/v1/messages/../..",
    "/admin",
    "/v1",
    "/v1/",
    "/",
    "*",
    "http://x/v1/m",
  ])("item 5: %s is outside /v1/: 404 not_found_error", (url) => {
    expect(checkRequestPath(url)).toMatchObject({ ok: false, status: 404, type: "not_found_error" });
  });

  it.each([
    "/v1/%2e%2e/admin",
    "/v1/%2E%2e/admin",
    "/v1/.%2E/admin",
    "/v1/%2e/messages",
    "/v1/..%2f..%2fadmin",
    "/v1/..%2F..%2Fadmin",
    "/v1/a%2fb",
    "/v1/..%5cadmin",
    "/v1/..%5Cadmin",
    "/v1\\..\\admin",
    "/v1/%252e%252e/admin",
    "/v1/%25252e%25252e/admin",
    "/v1/%2525252f",
    "/v1/..;/admin",
    "/v1/...",
    "/v1/%zz",
    "/v1/%e0%a4%a",
  ])("item 5: %s is ambiguous: 400 invalid_request_error", (url) => {
    expect(checkRequestPath(url)).toMatchObject({ ok: false, status: 400, type: "invalid_request_error" });
  });
});

describe("item 7: Host headers a loopback gateway accepts", () => {
  it("names the loopback addresses with the port, and the bound address", () => {
    expect([...allowedHostHeaders("127.0.0.1", 8787)].sort()).toEqual(
      ["127.0.0.1:8787", "[::1]:8787", "localhost:8787"].sort(),
    );
    expect(allowedHostHeaders("::1", 9000).has("[::1]:9000")).toBe(true);
    expect(allowedHostHeaders("127.0.0.2", 9000).has("127.0.0.2:9000")).toBe(true);
    expect(allowedHostHeaders("127.0.0.1", 80).has("localhost")).toBe(true);
    expect(allowedHostHeaders("127.0.0.1", 8787).has("localhost")).toBe(false);
  });
});
