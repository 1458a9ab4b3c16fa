import { escapeControl } from "./escape.ts";

// Progress for long work, for a person watching a terminal: one line on stderr, redrawn in place at most every
// `intervalMs`, erased when the work ends. Nothing at all when stderr is not a terminal (a pipe, a log, a test) or
// under --json: what a script reads stays exactly what it was.

export interface Progress {
  /** Redraws the line if the last draw is older than the interval (cheap to call per item). */
  update(text: () => string): void;
  /** Erases the line. */
  done(): void;
}

export interface ProgressOptions {
  enabled: boolean;
  write?: (text: string) => void;
  intervalMs?: number;
  now?: () => number;
  /** Columns to cut the line to, so it never wraps (a wrapped line cannot be redrawn in place). */
  columns?: number;
}

export function createProgress(options: ProgressOptions): Progress {
  if (!options.enabled) return { update() {}, done() {} };
  const write = options.write ?? ((t: string) => process.stderr.write(t));
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 100;
  // A terminal that reports no size (0 or unknown) gets the classic 80.
  const reported = options.columns ?? process.stderr.columns ?? 0;
  const columns = (reported >= 20 ? reported : 80) - 1;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(text) {
      const t = now();
      if (t - last < interval) return;
      last = t;
      drawn = true;
      write(`\r\x1b[K${escapeControl(text()).slice(0, columns)}`);
    },
    done() {
      if (drawn) write("\r\x1b[K");
      drawn = false;
    },
  };
}

/** Progress on this process's stderr when it is a terminal and output is for a person. */
export function terminalProgress(json: boolean): Progress {
  return createProgress({ enabled: !json && process.stderr.isTTY === true });
}
