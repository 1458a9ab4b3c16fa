import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "./config.ts";
import { isApikeyError } from "./errors.ts";

// Issue 25: config.ts checks the environment by hand (zod cost every start of the program more than the check).
// The rules it replaced, as they were written, decide every spelling here the same way: same accepted values,
// same values used, same variables named when refused.
const WAS = z.object({
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  APIKEY_VALIDATE_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  APIKEY_ALLOW_INSECURE_BASE_URL: z.enum(["1", "0", "true", "false"]).optional(),
  APIKEY_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  APIKEY_UPSTREAM_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
});

const URLS = [
  "https://api.anthropic.com",
  "http://127.0.0.1:9",
  "  https://padded.example/v1  ",
  "https://exa\tmple.com/",
  "http:example.com",
  "not a url",
  "//no-scheme.example",
  "ftp://files.example",
  "https://",
  "x:",
];
const NUMBERS = [
  "1",
  "10000",
  " 5 ",
  "1e3",
  "0x10",
  "0",
  "-1",
  "1.5",
  "5s",
  "Infinity",
  "NaN",
  "9007199254740993",
];
const FLAGS = ["1", "0", "true", "false", "yes", "TRUE", " 1"];

function outcome(env: Record<string, string>) {
  try {
    const c = loadConfig(env);
    return {
      ok: true,
      url: c.anthropicBaseUrl,
      validate: c.validateTimeoutMs,
      upstream: c.upstreamTimeoutMs,
      connect: c.upstreamConnectTimeoutMs,
      insecure: c.allowInsecureBaseUrl,
    };
  } catch (err) {
    if (!isApikeyError(err)) throw err;
    return { ok: false, message: err.message };
  }
}

function was(env: Record<string, string>) {
  const r = WAS.safeParse(env);
  if (!r.success) {
    const names = [...new Set(r.error.issues.map((i) => String(i.path[0])))];
    return { ok: false, message: `Invalid environment variable: ${names.join(", ")}.` };
  }
  const d = r.data;
  return {
    ok: true,
    url: d.ANTHROPIC_BASE_URL,
    validate: d.APIKEY_VALIDATE_TIMEOUT_MS ?? 10_000,
    upstream: d.APIKEY_UPSTREAM_TIMEOUT_MS ?? 600_000,
    connect: d.APIKEY_UPSTREAM_CONNECT_TIMEOUT_MS ?? 10_000,
    insecure: d.APIKEY_ALLOW_INSECURE_BASE_URL === "1" || d.APIKEY_ALLOW_INSECURE_BASE_URL === "true",
  };
}

describe("issue 25: the environment is checked as before, without a schema library", () => {
  it.each(URLS)("ANTHROPIC_BASE_URL=%j", (v) => {
    expect(outcome({ ANTHROPIC_BASE_URL: v })).toEqual(was({ ANTHROPIC_BASE_URL: v }));
  });
  it.each(NUMBERS)("APIKEY_VALIDATE_TIMEOUT_MS / APIKEY_UPSTREAM_TIMEOUT_MS=%j", (v) => {
    for (const name of [
      "APIKEY_VALIDATE_TIMEOUT_MS",
      "APIKEY_UPSTREAM_TIMEOUT_MS",
      "APIKEY_UPSTREAM_CONNECT_TIMEOUT_MS",
    ])
      expect(outcome({ [name]: v }), name).toEqual(was({ [name]: v }));
  });
  it.each(FLAGS)("APIKEY_ALLOW_INSECURE_BASE_URL=%j", (v) => {
    expect(outcome({ APIKEY_ALLOW_INSECURE_BASE_URL: v })).toEqual(
      was({ APIKEY_ALLOW_INSECURE_BASE_URL: v }),
    );
  });
  it("two bad variables are both named, in the order they are read; a value is never echoed", () => {
    const env = { APIKEY_VALIDATE_TIMEOUT_MS: "soon", ANTHROPIC_BASE_URL: "sk-ant-not-a-url" };
    expect(outcome(env)).toEqual(was(env));
    expect(JSON.stringify(outcome(env))).not.toContain("sk-ant");
  });
  it("empty values count as unset", () => {
    expect(outcome({ ANTHROPIC_BASE_URL: "", APIKEY_VALIDATE_TIMEOUT_MS: "" })).toEqual(was({}));
  });
});
