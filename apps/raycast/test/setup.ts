import { format } from "node:util";
import { afterEach, beforeEach } from "vitest";
import { freshMock, recorded } from "./mock/raycast-api.tsx";

// Everything the extension logs goes into `recorded.logs` (the canary scans it) and still reaches the terminal.
// react-test-renderer's deprecation notice is the harness's, not the extension's: dropped.
const original = {
  log: console.log,
  warn: console.warn,
  error: console.error,
  info: console.info,
  debug: console.debug,
};

beforeEach(() => {
  // The files share one module graph per worker (vitest.config.mts): the mock's recorded side effects, LocalStorage
  // and knobs start as a fresh import has them, whatever the previous file or test left.
  freshMock();
  for (const level of Object.keys(original) as Array<keyof typeof original>) {
    console[level] = (...args: unknown[]) => {
      const line = format(...args);
      if (line.includes("react-test-renderer is deprecated")) return;
      recorded.logs.push(line);
      original[level](...args);
    };
  }
});

afterEach(() => {
  Object.assign(console, original);
});
