import { readFile, stat } from "node:fs/promises";
import { parseEnv } from "node:util";
import type { Apikey } from "@apikey/core";
import { apiKeyVariables, isReferenceLike, type KeyVariables } from "@apikey/core";
import { ApikeyError, isApikeyError } from "@apikey/core/errors";
import { UsageError } from "../io/errors.ts";

// What `apikey exec` hands its child: the environment plus an optional .env file, with every apikey:// reference
// resolved before the child starts. A reference that does not resolve stops here, naming the variable and why.

const MAX_ENV_FILE_BYTES = 1024 * 1024;

export interface ChildEnvironmentPlan {
  /** Every variable, references replaced by their secrets (store-unlocking ones are dropped later). */
  env: Record<string, string>;
  /**
   * The key's variables: ANTHROPIC_API_KEY set to a reference's secret, else the profile's active key (as before
   * references) — or, for a federated active key, the SDK's federation variables (core: federation/child-variables).
   */
  keyVariables: KeyVariables;
  /** Every secret the child receives, for masking its output. */
  secrets: string[];
}

type References = Pick<Apikey, "references" | "active">;

export async function resolveChildEnvironment(
  app: References,
  parent: Readonly<Record<string, string | undefined>>,
  profile: string,
  envFile?: string,
): Promise<ChildEnvironmentPlan> {
  const fromFile = envFile === undefined ? {} : await readEnvFile(envFile);
  const env: Record<string, string> = {};
  // Node's --env-file rule: a variable already in the environment wins over the file.
  for (const [name, value] of Object.entries({ ...fromFile, ...parent }))
    if (value !== undefined) env[name] = value;

  // ANTHROPIC_API_KEY: a reference (the environment's, else the file's) names the key; otherwise the active key.
  const keyName = Object.keys(env).find((n) => n.toUpperCase() === "ANTHROPIC_API_KEY");
  const keyReference = [keyName && parent[keyName], keyName && fromFile[keyName]].find(
    (v): v is string => typeof v === "string" && isReferenceLike(v),
  );
  if (keyName) delete env[keyName];

  const secrets: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!isReferenceLike(value)) continue;
    env[name] = await resolveFor(app, name, value);
    secrets.push(env[name]);
  }
  let keyVariables: KeyVariables;
  if (keyReference === undefined) {
    const { variables } = await app.active(profile);
    keyVariables = variables;
    secrets.push(...variables.secrets);
  } else {
    const secret = await resolveFor(app, "ANTHROPIC_API_KEY", keyReference);
    keyVariables = apiKeyVariables(secret);
    secrets.push(secret);
  }
  return { env, keyVariables, secrets: [...new Set(secrets)] };
}

async function resolveFor(app: References, variable: string, value: string): Promise<string> {
  try {
    return (await app.references.resolve(value)).secret;
  } catch (err) {
    if (!isApikeyError(err)) throw err;
    throw new ApikeyError(err.code, `${variable}: ${err.message}`, {
      ...(err.hint !== undefined && { hint: err.hint }),
      cause: err,
      details: { ...err.details, variable },
    });
  }
}

async function readEnvFile(path: string): Promise<Record<string, string>> {
  try {
    if ((await stat(path)).size > MAX_ENV_FILE_BYTES) {
      throw new UsageError("That env file is larger than 1 MiB.", "Point --dotenv at a .env file.");
    }
    return parseEnv(await readFile(path, "utf8")) as Record<string, string>;
  } catch (err) {
    if (isApikeyError(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT" ? "The env file does not exist." : "The env file cannot be read.",
      "Check the path given to --dotenv.",
    );
  }
}
