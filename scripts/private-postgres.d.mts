// Types for private-postgres.mjs, so TypeScript tests can import it.
export interface PrivatePostgres {
  /** postgres://apikey@127.0.0.1:<port>/postgres (trust authentication, 127.0.0.1 only) */
  url: string;
  port: number;
  /** Fast shutdown, then the data directory is removed. */
  stop(): Promise<void>;
}
export function findPostgresBin(): string | null;
export const HOW_TO_ENABLE: string;
export function startPostgres(options?: {
  settings?: Record<string, string>;
  bin?: string | null;
}): Promise<PrivatePostgres>;
