import { describe, expect, it } from "vitest";
import { toPgStoreError } from "./errors.ts";

// Server errors as node-postgres and PGlite raise them: SQLSTATE in `code`, the offending values in `detail`.
function serverError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

describe("PostgreSQL errors", () => {
  it("name the broken rule, never the values the server repeats in its detail", () => {
    const raw = serverError("23505", 'duplicate key value violates unique constraint "keys_fingerprint_uq"', {
      constraint: "keys_fingerprint_uq",
      detail: "Key (fingerprint)=(fp-test-SECRETISH) already exists.",
    });
    const wrapped = Object.assign(new Error("Failed query: insert …\nparams: fp-test-SECRETISH"), {
      cause: raw,
    });
    const err = toPgStoreError(wrapped, "postgres://u@h/db");
    expect(err.code).toBe("E_KEY_DUPLICATE");
    expect(JSON.stringify({ m: err.message, c: (err.cause as Error).message, d: err.details })).not.toContain(
      "SECRETISH",
    );
    expect(Object.keys(err.cause as object)).not.toContain("detail");
  });

  it("report lock timeouts and deadlocks as E_STORE_BUSY", () => {
    for (const code of ["55P03", "40P01"]) {
      expect(toPgStoreError(serverError(code, "x"), "loc").code).toBe("E_STORE_BUSY");
    }
  });

  it("say whether the server was unreachable or refused the connection", () => {
    const refused = toPgStoreError(
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      "L",
    );
    expect(refused).toMatchObject({ code: "E_STORE_READONLY", details: { reason: "ECONNREFUSED" } });
    expect(refused.message).toContain("cannot be reached");
    const auth = toPgStoreError(serverError("28P01", 'password authentication failed for user "u"'), "L");
    expect(auth.message).toContain("refused this connection");
  });

  it("keep an unknown failure's query parameters out of its cause", () => {
    const err = toPgStoreError(new Error("Failed query: select 1\nparams: sk-ant-FAKE"), "L");
    expect(err.code).toBe("E_INTERNAL");
    expect((err.cause as Error).message).not.toContain("sk-ant-FAKE");
  });
});
