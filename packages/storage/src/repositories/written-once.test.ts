import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The repositories are written once, over the Dialect: a repository that reached for one dialect's schema, driver,
// errors or Drizzle core would work on that dialect only, and a repository written under pg/ or sqlite/ would be
// the second copy this layout exists to avoid.
const source = (dir: string) =>
  readdirSync(new URL(dir, import.meta.url))
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .map((name) => ({ name, text: readFileSync(new URL(`${dir}${name}`, import.meta.url), "utf8") }));

// Type imports included: a type from one dialect's module ties the code to that dialect just as well.
const imports = (text: string) => [...text.matchAll(/^import\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);

const NEUTRAL = [
  /^@apikey\/core(\/[a-z-]+)?$/,
  /^drizzle-orm$/,
  /^\.\.\/dialect\.ts$/,
  /^\.\.\/rows\.ts$/,
  /^\.\/[a-z-]+\.ts$/,
];

describe("issue 21, storage once: every repository is written once over the dialect", () => {
  it("imports nothing of one dialect: no schema, driver, errors or dialect-specific Drizzle core", () => {
    const offending = source("./").flatMap(({ name, text }) =>
      imports(text)
        .filter((from) => !NEUTRAL.some((allowed) => allowed.test(from ?? "")))
        .map((from) => `${name} imports ${from}`),
    );
    expect(offending).toEqual([]);
  });

  it("leaves pg/ and sqlite/ no repository of their own", () => {
    const repositories = ["../pg/", "../sqlite/"].flatMap((dir) =>
      source(dir)
        .filter(({ text }) => /\bfunction \w+Repository\(/.test(text))
        .map(({ name }) => `${dir}${name}`),
    );
    expect(repositories).toEqual([]);
  });
});
