// Preloaded into the gateway by gateway-soak.mjs (`node --expose-gc --require gc-probe.cjs`): on SIGUSR2, two full
// collections, then the process's memory written to $BENCH_GC_PROBE_FILE. Memory read after full collections shows
// what the gateway keeps; read without them it also shows garbage not yet collected, which moves with timing.
const { writeFileSync } = require("node:fs");

const file = process.env.BENCH_GC_PROBE_FILE;
if (file && typeof globalThis.gc === "function") {
  process.on("SIGUSR2", () => {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    writeFileSync(
      file,
      JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, at: Date.now() }),
    );
  });
}
