import { describe, expect, it } from "vitest";
import { ConfigError, loadSlackConfig } from "./config.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const base = {
  SLACK_BOT_TOKEN: "xoxb-1111-2222-FAKETESTTOKEN",
  SLACK_SIGNING_SECRET: SECRET,
  APIKEY_SLACK_CONFIG: "/etc/apikey/slack.yaml",
};

const failure = (env: Record<string, string | undefined>): string => {
  try {
    loadSlackConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("loadSlackConfig", () => {
  it("reads HTTP mode with defaults", () => {
    const c = loadSlackConfig(base);
    expect(c).toMatchObject({
      appToken: undefined,
      signingSecret: SECRET,
      port: 3000,
      slackApiUrl: undefined,
    });
  });

  it("reads Socket Mode, where no signing secret is needed, and normalises the API URL", () => {
    const c = loadSlackConfig({
      ...base,
      SLACK_SIGNING_SECRET: undefined,
      SLACK_APP_TOKEN: "xapp-1-A111-FAKETEST",
      SLACK_API_URL: "http://127.0.0.1:9/api",
      PORT: "0",
    });
    expect(c).toMatchObject({
      appToken: "xapp-1-A111-FAKETEST",
      slackApiUrl: "http://127.0.0.1:9/api/",
      port: 0,
    });
  });

  it("names the missing variable", () => {
    expect(failure({ ...base, SLACK_BOT_TOKEN: undefined })).toMatch(/^SLACK_BOT_TOKEN is not set/);
    expect(failure({ ...base, SLACK_BOT_TOKEN: "" })).toMatch(/^SLACK_BOT_TOKEN is not set/);
    expect(failure({ ...base, SLACK_SIGNING_SECRET: undefined })).toMatch(/^SLACK_SIGNING_SECRET is not set/);
    expect(failure({ ...base, APIKEY_SLACK_CONFIG: undefined })).toMatch(/^APIKEY_SLACK_CONFIG is not set/);
  });

  it("names a malformed variable and never echoes its value", () => {
    const cases: Record<string, string> = {
      SLACK_BOT_TOKEN: "xoxp-user-token-LEAKME",
      SLACK_APP_TOKEN: "xoxb-not-an-app-LEAKME",
      SLACK_SIGNING_SECRET: "short-LEAKME",
      PORT: "80000LEAKME",
      SLACK_API_URL: "ftp://LEAKME.example/",
    };
    for (const [name, value] of Object.entries(cases)) {
      const message = failure({ ...base, [name]: value });
      expect(message).toMatch(new RegExp(`^${name} is malformed`));
      expect(message).not.toContain("LEAKME");
      expect(message.split("\n")).toHaveLength(1);
    }
  });
});

describe("issue 24: APIKEY_SLACK_USAGE_SYNC_MINUTES", () => {
  it("is off unless set, and takes whole minutes from 5 to 1440", () => {
    expect(loadSlackConfig(base).usageSyncMinutes).toBeUndefined();
    expect(loadSlackConfig({ ...base, APIKEY_SLACK_USAGE_SYNC_MINUTES: "60" }).usageSyncMinutes).toBe(60);
    for (const bad of ["4", "1441", "1.5", "hourly", "-60"]) {
      expect(failure({ ...base, APIKEY_SLACK_USAGE_SYNC_MINUTES: bad })).toBe(
        "APIKEY_SLACK_USAGE_SYNC_MINUTES is malformed: it must be a whole number of minutes from 5 to 1440.",
      );
    }
  });
});
