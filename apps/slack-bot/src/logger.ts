import { redactKeyLike } from "@apikey/core";
import { type Logger, LogLevel } from "@slack/bolt";

// Every log line of the bot and of Bolt passes through here. Two rules: anything shaped like a secret is replaced
// before it is written, and DEBUG never turns on, because Bolt's debug output includes whole request bodies
// (slash-command text, modal values) where a pasted key could sit.

const PATTERNS: RegExp[] = [
  /xox[abeoprs]-[A-Za-z0-9-]{6,}/g, // Slack bot/user/config tokens
  /xapp-[A-Za-z0-9-]{6,}/g, // Slack app-level tokens
  /v0=[0-9a-f]{64}/g, // request signatures
];

export function redact(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) if (secret.length >= 8) out = out.split(secret).join("[redacted]");
  // Anthropic keys and tokens, whole or partial, however spelled: core's one rule.
  out = redactKeyLike(out);
  for (const p of PATTERNS) out = out.replace(p, "[redacted]");
  return out;
}

const ORDER: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
};

export interface RedactingLoggerOptions {
  /** Known secret values (tokens, signing secret) to replace wherever they appear. */
  secrets?: readonly string[];
  /** Where lines go; stderr by default. Tests collect them. */
  write?: (line: string) => void;
  level?: LogLevel;
}

export function redactingLogger(options: RedactingLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const secrets = options.secrets ?? [];
  let level = clamp(options.level ?? LogLevel.INFO);
  let name = "apikey-slack";
  const emit = (at: LogLevel, args: unknown[]) => {
    if (ORDER[at] < ORDER[level]) return;
    const text = args.map(stringify).join(" ");
    write(`${new Date().toISOString()} ${at.toUpperCase()} [${name}] ${redact(text, secrets)}`);
  };
  return {
    debug: (...args) => emit(LogLevel.DEBUG, args),
    info: (...args) => emit(LogLevel.INFO, args),
    warn: (...args) => emit(LogLevel.WARN, args),
    error: (...args) => emit(LogLevel.ERROR, args),
    setLevel: (l) => {
      level = clamp(l);
    },
    getLevel: () => level,
    setName: (n) => {
      name = n;
    },
  };
}

function clamp(level: LogLevel): LogLevel {
  return level === LogLevel.DEBUG ? LogLevel.INFO : level;
}

// Errors print their name, code and message only: a stack or a `cause` can carry request data.
function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${value.name}${typeof code === "string" ? ` ${code}` : ""}: ${value.message}`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
