import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { assertSafeBaseUrl, baseUrlRefusal } from "./base-url.ts";

// Issue 12, item 7: a key is never sent over plain http to another host unless the person opts in.

describe("item 7: which base URLs may carry a key", () => {
  it.each([
    "https://api.anthropic.com",
    "https://gateway.example.com/anthropic",
    "http://127.0.0.1:8787",
    "http://127.9.9.9",
    "http://localhost:8787",
    "http://LOCALHOST.:1",
    "http://api.localhost",
    "http://[::1]:8787",
    "http://[::ffff:127.0.0.1]:8787",
  ])("item 7: %s is accepted", (url) => {
    expect(baseUrlRefusal(url, false)).toBeNull();
  });

  it.each([
    "http://api.anthropic.com",
    "http://10.0.0.5:4000",
    "http://0.0.0.0:8787",
    "http://127.0.0.1.evil.example",
    "http://localhost.evil.example",
    "http://[::ffff:10.0.0.1]",
    "http://user:secret@example.com",
  ])("item 7: %s is refused without the opt-in, accepted with it", (url) => {
    expect(baseUrlRefusal(url, false)).toMatch(/plain http/);
    expect(baseUrlRefusal(url, true)).toBeNull();
  });

  it("item 7: other schemes are refused even with the opt-in, and the refusal never repeats the URL", () => {
    expect(baseUrlRefusal("ftp://example.com", true)).not.toBeNull();
    expect(() => assertSafeBaseUrl("http://user:secret@example.com", false)).toThrowError(
      expect.objectContaining({ code: "E_USAGE" }),
    );
    try {
      assertSafeBaseUrl("http://user:secret@example.com", false);
    } catch (err) {
      expect(JSON.stringify(err) + String(err)).not.toContain("secret");
    }
  });

  it("item 7: the config reads the opt-in and the upstream timeouts", () => {
    const defaults = loadConfig({ APIKEY_HOME: "/tmp/x" });
    expect(defaults).toMatchObject({
      allowInsecureBaseUrl: false,
      upstreamTimeoutMs: 600_000,
      upstreamConnectTimeoutMs: 10_000,
    });
    const set = loadConfig({
      APIKEY_HOME: "/tmp/x",
      APIKEY_ALLOW_INSECURE_BASE_URL: "1",
      APIKEY_UPSTREAM_TIMEOUT_MS: "5000",
      APIKEY_UPSTREAM_CONNECT_TIMEOUT_MS: "700",
    });
    expect(set).toMatchObject({
      allowInsecureBaseUrl: true,
      upstreamTimeoutMs: 5000,
      upstreamConnectTimeoutMs: 700,
    });
    expect(() => loadConfig({ APIKEY_ALLOW_INSECURE_BASE_URL: "yes please" })).toThrowError(
      expect.objectContaining({ code: "E_USAGE" }),
    );
  });
});
