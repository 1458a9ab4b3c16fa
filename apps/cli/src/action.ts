import type { Context } from "./context.ts";

// The type every command file registers its bodies through. Its own module, so command files need not import
// program.ts, which imports them: that made the CLI's program and its 13 command files one import cycle.

/** Wraps a command body: opens the store, runs, closes; the body may return an exit code. */
export type Action = <A extends unknown[]>(
  body: (ctx: Context, ...args: A) => Promise<number | undefined> | Promise<void>,
) => (...args: A) => Promise<void>;
