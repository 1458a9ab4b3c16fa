import { existsSync } from "node:fs";
import { basename } from "node:path";
import { expect, it } from "vitest";
import { betterSqlite3Addon, withAddon } from "./addon.ts";

it("names better-sqlite3's installed addon, so no connection searches for it", () => {
  const file = betterSqlite3Addon();
  expect(file).toBeDefined();
  expect(basename(file ?? "")).toBe("better_sqlite3.node");
  expect(existsSync(file ?? "")).toBe(true);
  expect(withAddon({ fileMustExist: true })).toEqual({ fileMustExist: true, nativeBinding: file });
});
