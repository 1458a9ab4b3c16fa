import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jwtExpiry, nextIdentityRenewal, RENEW_MIN_MS, type RenewableIdentityToken } from "@apikey/core";
import { isApikeyError } from "@apikey/core/errors";

// The identity token file `apikey exec` gives a child whose federated key reads its identity token from a command
// or GitHub Actions — sources the SDK cannot run itself. The SDK re-reads ANTHROPIC_IDENTITY_TOKEN_FILE at every
// exchange, so a file renewed here keeps a long-running child exchanging after its first identity token expired
// (core's identity-renewal.ts says when). The file is private (0600 in a 0700 directory of its own) and replaced by
// a rename, so the SDK never reads half a token; file and directory go when the child ends. A failed renewal is a
// warning: the old token stays until it expires, and the source is tried again.

export interface IdentityTokenFile {
  path: string;
  /** Stops renewing and removes the file and its directory (idempotent, synchronous: also runs at exit). */
  close(): void;
}

export function startIdentityTokenFile(
  identity: RenewableIdentityToken,
  hooks: { warn(text: string): void; renewed(token: string): void },
  now: () => number = Date.now,
): IdentityTokenFile {
  // mkdtemp creates the directory 0700; the name is unpredictable, so no one can plant a file or link there first.
  const dir = mkdtempSync(join(tmpdir(), "apikey-identity-"));
  const path = join(dir, "identity-token.jwt");
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let serial = 0;

  const write = (token: string) => {
    const next = join(dir, `.next-${++serial}`);
    writeFileSync(next, token, { mode: 0o600, flag: "wx" });
    renameSync(next, path);
  };
  const schedule = (delayMs: number) => {
    if (closed) return;
    timer = setTimeout(renew, delayMs);
    // The child keeps us alive; the timer must not once it is gone.
    timer.unref();
  };
  const renew = async () => {
    try {
      const token = (await identity.renew()).trim();
      if (closed) return;
      // Concealed before the child can read it.
      hooks.renewed(token);
      write(token);
      schedule(nextIdentityRenewal(jwtExpiry(token), now()));
    } catch (err) {
      if (closed) return;
      // The source's errors are coded and never hold the token (core: identity-sources.ts).
      const what = isApikeyError(err) ? `${err.code}: ${err.message}` : "the identity token source failed";
      hooks.warn(`${what} The command keeps the current identity token until it expires; trying again.`);
      schedule(RENEW_MIN_MS);
    }
  };
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    process.off("exit", close);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    write(identity.current.trim());
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  process.on("exit", close);
  schedule(nextIdentityRenewal(jwtExpiry(identity.current), now()));
  return { path, close };
}
