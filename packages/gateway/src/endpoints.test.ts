import { propertySeed, seededRandom } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { endpointFor } from "./endpoints.ts";
import { checkRequestPath } from "./request-path.ts";

// As the gateway does it: the path normalised first, then the endpoint looked up.
function verdict(method: string, url: string) {
  const target = checkRequestPath(url);
  if (!target.ok) return { forwarded: false as const, status: target.status };
  const found = endpointFor(method, target.path);
  return found.ok
    ? {
        forwarded: true as const,
        name: found.endpoint.name,
        models: found.endpoint.models,
        target: target.target,
      }
    : { forwarded: false as const, status: found.refusal.status, type: found.refusal.type };
}

describe("issue 20 item 2: the gateway forwards an allowlist of endpoints", () => {
  it.each([
    ["POST", "/v1/messages", "messages"],
    ["POST", "/v1/messages?beta=true", "messages"],
    ["POST", "/v1/messages/", "messages"],
    ["POST", "//v1//messages", "messages"],
    ["POST", "/v1/messages/count_tokens?beta=true", "count_tokens"],
    ["GET", "/v1/models", "models.list"],
    ["GET", "/v1/models?limit=1000", "models.list"],
    ["GET", "/v1/models/claude-haiku-4-5-20251001", "models.get"],
    ["POST", "/v1/messages/batches", "batches.create"],
    ["GET", "/v1/messages/batches?limit=2", "batches.list"],
    ["GET", "/v1/messages/batches/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d", "batches.get"],
    ["GET", "/v1/messages/batches/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d/results", "batches.results"],
    ["POST", "/v1/messages/batches/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d/cancel", "batches.cancel"],
    ["DELETE", "/v1/messages/batches/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d", "batches.delete"],
  ])("%s %s is %s", (method, url, name) => {
    expect(verdict(method, url)).toMatchObject({ forwarded: true, name });
  });

  it("names the model of GET /v1/models/{id}, so a model list applies to it", () => {
    expect(verdict("GET", "/v1/models/claude-opus-4-5")).toMatchObject({
      models: { from: "path", model: "claude-opus-4-5" },
    });
  });

  // Every spelling of the Admin API that survives path normalisation is refused with 403; the rest are refused
  // earlier as ambiguous. None is forwarded.
  it.each([
    "/v1/organizations/api_keys",
    "/v1/organizations/api_keys/apikey_01",
    "/v1/organizations/usage_report/messages?starting_at=2026-01-01T00:00:00Z",
    "/v1/organizations",
    "/v1/organizations/",
    "/v1//organizations//api_keys",
    "/v1/Organizations/api_keys",
    "/v1/ORGANIZATIONS/API_KEYS",
    "/v1/%6frganizations/api_keys",
    "/v1/%6F%72ganizations/api_keys",
    "/v1/%256frganizations/api_keys",
    "/v1/%EF%BD%8Frganizations/api_keys",
    "/v1/organizations;x/api_keys",
    "/v1/organization/api_keys",
    "/v1/messages/../organizations/api_keys",
    "/v1/models/./../organizations/api_keys",
    "/v1/x/y/../../organizations/api_keys",
  ])("%s is refused with 403 permission_error, for every method", (url) => {
    for (const method of ["GET", "POST", "DELETE", "PUT", "PATCH"]) {
      expect(verdict(method, url), `${method} ${url}`).toMatchObject({
        forwarded: false,
        status: 403,
        type: "permission_error",
      });
    }
  });

  it.each([
    "/v1/organizations%2fapi_keys",
    "/v1/%2e%2e/v1/organizations",
    "/v1/messages/..%2f..%2forganizations",
    "/v1\\organizations",
  ])("%s is refused before endpoints are looked at", (url) => {
    expect(verdict("POST", url)).toMatchObject({ forwarded: false, status: 400 });
  });

  it.each([
    ["GET", "/v1/messages"],
    ["PUT", "/v1/messages"],
    ["HEAD", "/v1/models"],
    ["OPTIONS", "/v1/messages"],
    ["POST", "/v1/models"],
    ["DELETE", "/v1/models/claude-haiku-4-5"],
    ["POST", "/v1/Messages"],
    ["POST", "/v1/MESSAGES"],
    ["POST", "/v1/m%65ssages"],
    ["POST", "/v1/messages/count%5ftokens"],
    ["POST", "/v1/messages;x"],
    ["POST", "/v1/complete"],
    ["POST", "/v1/files"],
    ["GET", "/v1/files/file_01"],
    ["POST", "/v1/skills"],
    ["GET", "/v1/models/%63laude-haiku-4-5"],
    ["GET", "/v1/models/claude-haiku-4-5/extra"],
    ["GET", "/v1/models/-claude"],
    ["GET", "/v1/messages/batches/msgbatch_01/results/extra"],
    ["GET", "/v1/messages/batches/msgbatch%5F01"],
    ["POST", "/v1/messages/batches/msgbatch_01/results"],
    ["POST", "/v1/messages/batches/msgbatch_01/Cancel"],
    ["GET", "/v1/oauth/token"],
    ["POST", "/v1/oauth/token"],
    ["GET", "/v1/x"],
  ])("%s %s is refused with 404 not_found_error", (method, url) => {
    expect(verdict(method, url)).toMatchObject({ forwarded: false, status: 404, type: "not_found_error" });
  });

  it("forwards only the normalised target, so what was checked is what goes upstream", () => {
    expect(verdict("POST", "/v1/./messages/?beta=true")).toMatchObject({ target: "/v1/messages?beta=true" });
  });
});

// Property: whatever a client spells, what the gateway forwards is one of the allowlisted shapes, plainly spelled,
// and never the Admin API however a server might decode it.
describe("issue 20 item 2: endpoint fuzz", () => {
  const random = seededRandom(propertySeed("endpoint fuzz", 0xe9d9));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const SEGMENTS = [
    "v1",
    "V1",
    "messages",
    "count_tokens",
    "models",
    "batches",
    "results",
    "cancel",
    "organizations",
    "Organizations",
    "api_keys",
    "usage_report",
    "claude-haiku-4-5",
    "msgbatch_01",
    ".",
    "..",
    "",
    "%2e%2e",
    "%6frganizations",
    "%256frganizations",
    "organizations%2fapi_keys",
    "m%65ssages",
    "%EF%BD%8Frganizations",
    "x;y",
    "files",
  ];
  const VALID = [
    ["v1", "messages"],
    ["v1", "messages", "count_tokens"],
    ["v1", "models"],
    ["v1", "models", "claude-haiku-4-5"],
    ["v1", "messages", "batches"],
    ["v1", "messages", "batches", "msgbatch_01"],
    ["v1", "messages", "batches", "msgbatch_01", "results"],
    ["v1", "messages", "batches", "msgbatch_01", "cancel"],
  ];
  const SHAPES = [
    /^\/v1\/messages$/,
    /^\/v1\/messages\/count_tokens$/,
    /^\/v1\/models$/,
    /^\/v1\/models\/[A-Za-z0-9][A-Za-z0-9._:@-]*$/,
    /^\/v1\/messages\/batches$/,
    /^\/v1\/messages\/batches\/[A-Za-z0-9][A-Za-z0-9._:@-]*(\/results|\/cancel)?$/,
  ];

  function decodedFully(s: string): string {
    let out = s;
    for (let i = 0; i < 4; i++) {
      try {
        out = decodeURIComponent(out);
      } catch {
        return out;
      }
    }
    return out;
  }

  it("20000 random targets: forwarded ones are allowlisted shapes, never the Admin API", () => {
    let forwarded = 0;
    for (let n = 0; n < 20_000; n++) {
      // A real endpoint's segments, then up to three random edits: near misses are where mistakes hide.
      const segments = [...pick(VALID)];
      for (let m = Math.floor(random() * 4); m > 0; m--) {
        const at = Math.floor(random() * (segments.length + 1));
        const edit = pick(["insert", "replace", "drop"]);
        if (edit === "insert") segments.splice(at, 0, pick(SEGMENTS));
        else if (edit === "replace") segments.splice(at, 1, pick(SEGMENTS));
        else segments.splice(at, 1);
      }
      const url = `${pick(["/", "/", "//", "/./"])}${segments.join(pick(["/", "/", "//"]))}${pick(["", "/", "?beta=true", "?x=/organizations"])}`;
      const method = pick(["GET", "POST", "DELETE", "PUT"]);
      const v = verdict(method, url);
      if (!v.forwarded) continue;
      forwarded++;
      const path = v.target.split("?")[0] as string;
      expect(
        SHAPES.some((re) => re.test(path)),
        `${method} ${url} -> ${path}`,
      ).toBe(true);
      expect(path).not.toContain("%");
      expect(decodedFully(path).normalize("NFKC").toLowerCase()).not.toMatch(/^\/+v1\/+organization/);
    }
    expect(forwarded).toBeGreaterThan(2_000);
  });
});
