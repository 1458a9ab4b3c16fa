import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { identityTokenReader } from "./identity-token.ts";
import { checkFederationInput, checkTokenEndpoint, decodeSettings, encodeSettings } from "./settings.ts";

// Issue 26: what `add --federated` accepts, and the identity token checks made before any exchange.

const dir = mkdtempSync(join(tmpdir(), "apikey-federation-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const good = { ruleId: "fdrl_01abc", organizationId: "0f1e-org", identityTokenFile: "/var/run/token" };
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return "none";
};
const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.FAKEsig`;

describe("issue 26: federation settings", () => {
  it("accepts a well-formed rule and round-trips it", () => {
    const s = checkFederationInput({ ...good, serviceAccountId: "svac_x", workspaceId: "default" });
    expect(decodeSettings(encodeSettings(s))).toEqual(s);
    expect(s.identityToken).toEqual({ source: "file", path: "/var/run/token" });
  });

  it.each([
    { ruleId: undefined },
    { ruleId: "fdrl_" },
    { ruleId: "FDRL_abc" },
    { ruleId: "fdrl_a b" },
    { ruleId: "sk-ant-api03-FAKE" },
    { organizationId: "" },
    { organizationId: "org/../x" },
    { serviceAccountId: "svc_1" },
    { workspaceId: "wrkspc_" },
    { workspaceId: "Default" },
    { identityTokenFile: "token.jwt" },
    { identityTokenFile: "/tmp/a\nb" },
    { identityTokenFile: undefined },
    { identityTokenEnv: "TOKEN" },
    { identityTokenFile: undefined, identityTokenEnv: "1TOKEN" },
    { identityTokenFile: undefined, identityTokenEnv: "A-B" },
  ])("refuses %o with E_FEDERATION_CONFIG", (change) => {
    expect(codeOf(() => checkFederationInput({ ...good, ...change }))).toBe("E_FEDERATION_CONFIG");
  });

  it("sends identity tokens over https, or plain http only to this machine", () => {
    for (const ok of [
      "https://api.anthropic.com",
      "http://127.0.0.1:8080",
      "http://localhost:1",
      "http://[::1]:2",
    ])
      expect(codeOf(() => checkTokenEndpoint(ok))).toBe("none");
    for (const bad of ["http://api.anthropic.com", "http://10.0.0.1", "http://127.0.0.1.example.com"])
      expect(codeOf(() => checkTokenEndpoint(bad))).toBe("E_FEDERATION_FAILED");
  });
});

describe("issue 26: the identity token is read at each exchange and checked first", () => {
  const file = join(dir, "token.jwt");
  const read = (path = file) => identityTokenReader({ source: "file", path }, () => undefined)();
  const reasonOf = async (p: Promise<unknown>) =>
    p.then(
      () => "none",
      (err: { code: string; details: { reason: string }; message: string }) => {
        expect(err.code).toBe("E_IDENTITY_TOKEN");
        expect(err.message).not.toContain("FAKEsig");
        return err.details.reason;
      },
    );

  it("re-reads a rotated file", async () => {
    const one = jwt({ exp: Date.now() / 1000 + 60, n: 1 });
    writeFileSync(file, `${one}\n`);
    expect(await read()).toBe(one);
    const two = jwt({ exp: Date.now() / 1000 + 60, n: 2 });
    writeFileSync(file, two);
    expect(await read()).toBe(two);
  });

  it("refuses a missing, empty, expired or oversized token", async () => {
    expect(await reasonOf(read(join(dir, "missing")))).toBe("unreadable");
    writeFileSync(file, " \n");
    expect(await reasonOf(read())).toBe("empty");
    writeFileSync(file, jwt({ exp: Date.now() / 1000 - 1 }));
    expect(await reasonOf(read())).toBe("expired");
    writeFileSync(file, jwt({ exp: Date.now() / 1000 + 60, pad: "x".repeat(16 * 1024) }));
    expect(await reasonOf(read())).toBe("too_large");
  });

  it("reads a variable by name; unset is a coded error", async () => {
    const value = jwt({ exp: Date.now() / 1000 + 60 });
    const env: Record<string, string> = { WORKLOAD: value };
    const reader = identityTokenReader({ source: "env", name: "WORKLOAD" }, (n) => env[n]);
    expect(await reader()).toBe(value);
    delete env.WORKLOAD;
    expect(await reasonOf(reader())).toBe("empty");
  });
});

describe("issue 26: an identity token command is split as argv, never given to a shell", () => {
  const argvOf = (command: string) => {
    const s = checkFederationInput({ ...good, identityTokenFile: undefined, identityTokenCommand: command });
    return s.identityToken.source === "command" ? s.identityToken.argv : null;
  };
  it.each([
    ["gcloud auth print-identity-token", ["gcloud", "auth", "print-identity-token"]],
    ["tool --aud 'https://x?y=1'", ["tool", "--aud", "https://x?y=1"]],
    ['tool "a b"  c\\ d', ["tool", "a b", "c d"]],
  ])("%s", (command, argv) => expect(argvOf(command)).toEqual(argv));
  it.each(["a | b", "a; b", "a && b", "echo $X", "echo `id`", 'echo "$X"', "a > f", "'open", "", "a\nb"])(
    "refuses %j",
    (command) =>
      expect(
        codeOf(() =>
          checkFederationInput({ ...good, identityTokenFile: undefined, identityTokenCommand: command }),
        ),
      ).toBe("E_FEDERATION_CONFIG"),
  );
});
