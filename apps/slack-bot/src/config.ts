import { z } from "zod";

// The bot's one reader of its environment (main.ts hands it process.env). A bad setting stops start-up with one
// line that names the variable and what shape it should have, never its value: most of these are secrets.

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "E_SLACK_CONFIG";
}

const token = (prefix: string) => z.string().regex(new RegExp(`^${prefix}-[A-Za-z0-9-]{8,}$`));

const FIELDS = {
  SLACK_BOT_TOKEN: { schema: token("xoxb"), shape: "a bot token starting with xoxb-" },
  SLACK_APP_TOKEN: { schema: token("xapp"), shape: "an app-level token starting with xapp-" },
  // Slack's signing secrets are 32 hex characters today; accept any long alphanumeric string in case that grows.
  SLACK_SIGNING_SECRET: {
    schema: z.string().regex(/^[A-Za-z0-9]{16,128}$/),
    shape: "the app's signing secret",
  },
  PORT: { schema: z.coerce.number().int().min(0).max(65535), shape: "a port number (0-65535)" },
  HOST: { schema: z.string().regex(/^[A-Za-z0-9.:[\]-]{1,253}$/), shape: "a host name or IP address" },
  SLACK_API_URL: {
    schema: z.url({ protocol: /^https?$/ }),
    shape: "an http(s) URL such as https://slack.com/api/",
  },
  APIKEY_SLACK_CONFIG: { schema: z.string().min(1), shape: "the path of the authorization config file" },
  // Anthropic's report is meant to be polled, not hammered: at least every 5 minutes, at most daily.
  APIKEY_SLACK_USAGE_SYNC_MINUTES: {
    schema: z.coerce.number().int().min(5).max(1440),
    shape: "a whole number of minutes from 5 to 1440",
  },
} as const;

type Field = keyof typeof FIELDS;

export interface SlackConfig {
  botToken: string;
  /** Socket Mode when set; otherwise HTTP on `port`. */
  appToken: string | undefined;
  signingSecret: string | undefined;
  port: number;
  host: string | undefined;
  /** With a trailing slash, as @slack/web-api expects. */
  slackApiUrl: string | undefined;
  authzFile: string;
  /** `usage sync` every this many minutes (once across replicas); undefined: never. */
  usageSyncMinutes?: number | undefined;
}

export function loadSlackConfig(env: Record<string, string | undefined>): SlackConfig {
  const read = <F extends Field>(
    name: F,
    required: boolean,
  ): z.output<(typeof FIELDS)[F]["schema"]> | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === "") {
      if (required) throw new ConfigError(`${name} is not set: it must be ${FIELDS[name].shape}.`);
      return undefined;
    }
    const parsed = FIELDS[name].schema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`${name} is malformed: it must be ${FIELDS[name].shape}.`);
    return parsed.data as z.output<(typeof FIELDS)[F]["schema"]>;
  };

  const botToken = read("SLACK_BOT_TOKEN", true) as string;
  const appToken = read("SLACK_APP_TOKEN", false);
  // HTTP mode cannot tell Slack's requests from forged ones without the signing secret; Socket Mode needs none.
  const signingSecret = read("SLACK_SIGNING_SECRET", appToken === undefined);
  const port = read("PORT", false) ?? 3000;
  const host = read("HOST", false);
  const apiUrl = read("SLACK_API_URL", false);
  const authzFile = read("APIKEY_SLACK_CONFIG", true) as string;
  const usageSyncMinutes = read("APIKEY_SLACK_USAGE_SYNC_MINUTES", false);
  return {
    botToken,
    appToken,
    signingSecret,
    port,
    host,
    slackApiUrl: apiUrl === undefined ? undefined : apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`,
    authzFile,
    usageSyncMinutes,
  };
}

/** Every value in the config that must never reach a log line, for the redacting logger. */
export function secretsOf(config: SlackConfig): string[] {
  return [config.botToken, config.appToken, config.signingSecret].filter((s): s is string => !!s);
}
