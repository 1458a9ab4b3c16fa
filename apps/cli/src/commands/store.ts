import { DATABASE_URL_VARIABLE } from "@apikey/core";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import { UsageError } from "../io/errors.ts";
import { table } from "../io/output.ts";

// `apikey store copy`: moves a store between SQLite and PostgreSQL (or between two of either). The source is the
// store this command would use (APIKEY_DATABASE_URL, else the SQLite file); nothing is decrypted, so no master key
// is asked for.

export function registerStoreCommands(program: Command, action: Action): void {
  const store = program
    .command("store")
    .description("the store itself: copy it to PostgreSQL or to a SQLite file");

  store
    .command("copy")
    .description("copy every row of this store into an empty store (postgres://… URL or SQLite file path)")
    .requiredOption("--to <target>", "postgres://user@host/db?sslmode=verify-full, or a SQLite file path")
    .option("--merge", "add to a target that already holds data (the same store's data key only)")
    .action(
      action(async (ctx, opts: { to: string; merge?: boolean }) => {
        const { copyStore, endpointFrom } = await import("@apikey/storage/copy");
        const target = opts.to.trim();
        if (target === "") throw new UsageError("--to needs a postgres:// URL or a SQLite file path.");
        const here = ctx.config.store;
        const from = endpointFrom(here.kind === "postgres" ? here.url : here.path, DATABASE_URL_VARIABLE);
        const report = await copyStore(from, endpointFrom(target, "--to"), {
          merge: opts.merge === true,
          onTable: (name, rows) =>
            ctx.out.note(`copying ${name}${rows > 0 ? ` (${rows} ${rows === 1 ? "row" : "rows"})` : ""}`),
        });
        ctx.out.result(report, () =>
          [
            `Copied ${report.from} to ${report.to} in one transaction; every count checked.`,
            table(
              ["TABLE", "ROWS"],
              Object.entries(report.tables).map(([name, rows]) => [name, String(rows)]),
            ),
          ].join("\n"),
        );
      }),
    );
}
