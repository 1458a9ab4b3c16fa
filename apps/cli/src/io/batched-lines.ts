// Lines a long-running command prints in bulk (the gateway's request log).

/**
 * The request log, written in batches: one write per request would be a system call per request, and at a
 * thousand requests a second a line is no more useful for arriving at once. Lines wait at most `maxDelayMs`
 * (or until `maxBytes` gather); `flush()` writes what is left (on stop). A SIGKILL loses at most that window of
 * log lines — never usage, which the store commits before a response completes.
 */
export function batchedLines(
  write: (text: string) => void,
  { maxDelayMs = 100, maxBytes = 32 << 10 } = {},
): { log: (line: string) => void; flush: () => void } {
  let pending = "";
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(text);
  };
  return {
    log(line) {
      pending += `${line}\n`;
      if (pending.length >= maxBytes) flush();
      else timer ??= setTimeout(flush, maxDelayMs);
    },
    flush,
  };
}
