import { isApikeyError } from "@apikey/core/errors";
import { propertySeed, seededRandom } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { readConnectionString, redactConnectionString } from "./connection-string.ts";

// Issue 20 item 6: every way node-postgres takes a secret from a connection string is kept out of what is shown,
// and a string that cannot be read is a coded error that does not quote it.

const SECRET = "S3cretPW4TEST";
/** What a thrown error carries that could reach a person. */
function errorText(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    if (!isApikeyError(err)) throw err;
    return JSON.stringify([err.code, err.message, err.hint, err.details, String(err.cause ?? "")]);
  }
  throw new Error("expected an error");
}

describe("issue 20 item 6: a connection string's secrets are never shown", () => {
  const spellings: Array<[string, string]> = [
    [`postgres://app:${SECRET}@db.example.test:5432/apikey`, "postgres://app@db.example.test:5432/apikey"],
    [
      `postgres://app@db.example.test/apikey?password=${SECRET}`,
      "postgres://app@db.example.test/apikey?password=***",
    ],
    [
      `postgres://app@h/d?sslmode=require&PASSWORD=${SECRET}`,
      "postgres://app@h/d?sslmode=require&PASSWORD=***",
    ],
    [
      `postgres://app@h/d?Password=${SECRET}&password=${SECRET}x`,
      "postgres://app@h/d?Password=***&password=***",
    ],
    [`postgresql://app@h/d?sslpassword=${SECRET}`, "postgresql://app@h/d?sslpassword=***"],
    [`POSTGRES://app:${SECRET}@h/d?password=${SECRET}#${SECRET}`, "postgres://app@h/d?password=***"],
    [`postgres://app:${encodeURIComponent(`${SECRET}@:/?# `)}@h/d`, "postgres://app@h/d"],
    [`postgres://app:p${SECRET}@q@h/d`, "postgres://app@h/d"],
    [
      `postgres://app:${SECRET}@/apikey?host=/var/run/postgresql`,
      "postgres://app@/apikey?host=/var/run/postgresql",
    ],
    [
      `postgres:///apikey?host=/var/run/postgresql&password=${SECRET}`,
      "postgres:///apikey?host=/var/run/postgresql&password=***",
    ],
    [
      `postgres://app@h/d?sslkey=-----BEGIN%20PRIVATE%20KEY-----${SECRET}&sslcert=${SECRET}&sslrootcert=${SECRET}`,
      "postgres://app@h/d?sslkey=***&sslcert=***&sslrootcert=***",
    ],
    [
      `postgres://app@h/d?api_token=${SECRET}&client_secret=${SECRET}&pass=${SECRET}`,
      "postgres://app@h/d?api_token=***&client_secret=***&pass=***",
    ],
    [`postgres://app@h/d?x-y=1&a%20b=${SECRET}&%00=${SECRET}`, "postgres://app@h/d?x-y=***&***=***&***=***"],
    [
      `postgres://app@[::1]:5433/d?schema=team_a&password=${SECRET}`,
      "postgres://app@[::1]:5433/d?schema=team_a&password=***",
    ],
    [
      `  postgres://app:${SECRET}@h:5432/d?application_name=x  `,
      "postgres://app@h:5432/d?application_name=x",
    ],
  ];
  it.each(spellings)("%s", (raw, shown) => {
    expect(redactConnectionString(raw)).toBe(shown);
    const read = readConnectionString(raw);
    expect(read.location).toBe(shown);
    expect(read.location).not.toContain(SECRET);
  });

  it("node-postgres still gets the secret, without apikey's schema parameter and the fragment", () => {
    const read = readConnectionString(`postgres://app@h/d?schema=s1&password=${SECRET}#frag`);
    expect(read.schema).toBe("s1");
    expect(new URL(read.url).searchParams.get("password")).toBe(SECRET);
    expect(read.url).not.toContain("schema");
    expect(read.url).not.toContain("frag");
    const socket = readConnectionString(`postgres://app:${SECRET}@/d?host=/var/run/postgresql`);
    expect(socket.url).toBe(`postgres://app:${SECRET}@/d?host=/var/run/postgresql`);
  });
});

describe("issue 20 item 6: an unreadable connection string is a coded error that does not quote it", () => {
  const malformed: Array<[string, string]> = [
    [`postgres://u:p w${SECRET}@h:1:2/db`, "port"],
    [`postgres://u:${SECRET}@h:abc/db`, "port"],
    [`postgres://u:${SECRET}@h:99999/db`, "port"],
    [`postgres://u:${SECRET}@h:0/db`, "port"],
    [`postgres://u:${SECRET}%zz@h/db`, "percent_escape"],
    [`postgres://u:${SECRET}%@h/db`, "percent_escape"],
    [`postgres://u:${SECRET}%ff@h/db`, "percent_escape"],
    [`postgres://u@h/db?password=${SECRET}%g1`, "percent_escape"],
    [`postgres://u@h/db?sslpassword=${SECRET}%e0%80`, "percent_escape"],
    [`mysql://u:${SECRET}@h/db`, "scheme"],
    [`postgres:/u:${SECRET}@h/db`, "scheme"],
    [`ｐｏｓｔｇｒｅｓ://u:${SECRET}@h/db`, "scheme"],
    [`postgres://u:${SECRET}@/db`, "host"],
    [`postgres:///db?password=${SECRET}`, "host"],
    [`postgres://u:${SECRET}/x@h/db`, "port"],
    [`postgres://u:${SECRET}@h h/db`, "syntax"],
  ];
  it.each(malformed)("%s", (raw, problem) => {
    const text = errorText(() => readConnectionString(raw, "APIKEY_DATABASE_URL"));
    expect(text).toContain('"E_USAGE"');
    expect(text).toContain(`"problem":"${problem}"`);
    expect(text).toContain("APIKEY_DATABASE_URL cannot be read");
    expect(text).not.toContain(SECRET);
    expect(redactConnectionString(raw)).not.toContain(SECRET);
  });
});

describe("issue 20 item 6: property: a secret anywhere a connection string holds one is never shown", () => {
  const SEED = propertySeed("connection-string property test", 0x20_06);
  const random = seededRandom(SEED);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const TAIL = `${ALNUM}@:/?#&=+%; "'\\\t\u00e9\u200b\uff20-_.~!$*(),`;
  const word = (n: number, from = ALNUM) => Array.from({ length: n }, () => from[int(from.length)]).join("");
  const SECRET_PARAMS = [
    "password",
    "PASSWORD",
    "Password",
    "sslpassword",
    "sslkey",
    "sslcert",
    "sslrootcert",
    "passfile",
    "token",
    "access_token",
    "client_secret",
    "pwd",
    word(6),
  ];
  const HARMLESS = ["sslmode=verify-full", "application_name=apikey", "connect_timeout=5", "schema=team_b"];
  const encode = (s: string) =>
    pick([encodeURIComponent, (x: string) => encodeURIComponent(x).replace(/%20/g, "+"), encodeURI])(s);

  it("holds for 3000 random strings (well-formed or not)", () => {
    for (let i = 0; i < 3000; i++) {
      // The alphanumeric core survives every encoding unchanged: if it is not in the output, no form of it is.
      const core = `Z${word(15)}`;
      const secret = core + word(int(6), TAIL);
      const scheme = pick(["postgres", "postgresql", "POSTGRES", "PostgreSQL"]);
      const user = pick(["", "app", "a%40b", "team.user"]);
      const inUserInfo = random() < 0.4;
      const userinfo = inUserInfo
        ? `${user || "app"}:${pick([encodeURIComponent(secret), secret.replace(/[/?#]/g, "")])}@`
        : user
          ? `${user}@`
          : "";
      const host = pick(["db.example.test", "127.0.0.1", "[::1]", "", "h"]);
      const port = pick(["", ":5432", ":1", ":6543"]);
      const params: string[] = [];
      for (let n = int(4); n > 0; n--) params.push(pick(HARMLESS));
      if (!inUserInfo || random() < 0.5) {
        const count = 1 + int(3);
        for (let n = 0; n < count; n++)
          params.splice(int(params.length + 1), 0, `${pick(SECRET_PARAMS)}=${encode(secret)}`);
      }
      if (host === "" && random() < 0.7) params.push("host=/var/run/postgresql");
      const fragment = random() < 0.2 ? `#${encode(secret)}` : "";
      let raw = `${scheme}://${userinfo}${host}${port}/${pick(["apikey", "d", ""])}${params.length ? `?${params.join("&")}` : ""}${fragment}`;
      // Sometimes break it: the secret must not come back through the error either.
      if (random() < 0.15) raw = raw.replace(port || host, pick([":x1", ":1:2", "%zz", " h", ":70000"]));
      const shown = redactConnectionString(raw);
      expect(shown, `seed ${SEED}, case ${i}: ${raw}`).not.toContain(core);
      let error = "";
      try {
        readConnectionString(raw);
      } catch (err) {
        if (!isApikeyError(err)) throw new Error(`seed ${SEED}, case ${i}: not coded: ${raw}`);
        error = JSON.stringify([err.message, err.hint, err.details]);
      }
      expect(error, `seed ${SEED}, case ${i}: ${raw}`).not.toContain(core);
    }
  });
});
