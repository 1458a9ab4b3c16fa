// The measured phases of bench/usage-sync.mjs, each run in a process of its own: the plain paged download (the
// baseline) and `usage sync` into a store. Each reports its time and its RSS at the start and at the peak, sampled
// every 2 ms and checked against the kernel's high-water mark.

import { createRequire } from "node:module";
import { loadConfig, masterKeySource, storeFileIn } from "@apikey/core/testing";
import { openApikeyFromEnv } from "@apikey/storage/from-env";
import { planSync } from "../../../packages/core/src/usage-sync/plan.ts";
import { fakeAdminKey } from "../../fixtures/keys.ts";

const ADMIN = fakeAdminKey("USAGE_SYNC_BENCH");
/** What the sync asks per page (report-client.ts): the documented maximum number of buckets per width. */
const LIMIT = { "1h": "168", "1m": "1440" };

function rssSampler() {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  return {
    start,
    stop() {
      clearInterval(timer);
      // maxRSS (KiB) also covers what fell between samples.
      return Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
    },
  };
}

/**
 * The baseline: the pages the sync reads (the same windows, queries and page tokens), fetched and JSON-parsed one
 * after another and counted — no checks, no rows, no store.
 */
async function download(url) {
  const rss = rssSampler();
  const started = performance.now();
  let pages = 0;
  let rows = 0;
  let bytes = 0;
  for (const window of planSync({ cursor: null, since: null, now: new Date() })) {
    let page = null;
    do {
      const q = new URLSearchParams([
        ["starting_at", window.from.toISOString()],
        ["ending_at", window.until.toISOString()],
        ["bucket_width", window.width],
        ["limit", LIMIT[window.width]],
        ["group_by[]", "api_key_id"],
        ["group_by[]", "model"],
      ]);
      if (page) q.append("page", page);
      const res = await fetch(`${url}/v1/organizations/usage_report/messages?${q}`, {
        headers: { "x-api-key": ADMIN, "anthropic-version": "2023-06-01", accept: "application/json" },
      });
      if (res.status !== 200) throw new Error(`download: ${res.status} ${await res.text()}`);
      const text = await res.text();
      bytes += text.length;
      const body = JSON.parse(text);
      for (const bucket of body.data) rows += bucket.results.length;
      pages += 1;
      page = body.has_more ? body.next_page : null;
    } while (page);
  }
  const ms = performance.now() - started;
  return { ms, pages, rows, bytes, startRssBytes: rss.start, peakRssBytes: rss.stop() };
}

async function sync(url, dir, masterKey) {
  const config = loadConfig({
    APIKEY_HOME: dir,
    APIKEY_MASTER_KEY: masterKey,
    ANTHROPIC_BASE_URL: url,
    // A page here is 42,000 results (13 MB): on a loaded 2-core machine the stand-in can take longer than the
    // default 10 s to build and send one, which is the stand-in's time, not the sync's.
    APIKEY_VALIDATE_TIMEOUT_MS: "120000",
  });
  const app = await openApikeyFromEnv({
    config,
    masterKeys: (c) => [masterKeySource(c.masterKey)],
    actor: "bench",
    front: "cli",
  });
  await app.unlock();
  const rss = rssSampler();
  const started = performance.now();
  const [result] = await app.usage.sync();
  const ms = performance.now() - started;
  const peakRssBytes = rss.stop();
  await app.close();
  const Database = createRequire(new URL("../../../packages/storage/package.json", import.meta.url))(
    "better-sqlite3",
  );
  const db = new Database(storeFileIn(config.dataDir), { readonly: true });
  const storedRows = db.prepare("SELECT count(*) FROM usage_reported").pluck().get();
  db.close();
  return {
    ms,
    pages: result.pages,
    rows: result.rows,
    storedRows,
    matchedKeys: result.matchedKeys,
    startRssBytes: rss.start,
    peakRssBytes,
  };
}

export function measurePhase(phase, { url, dir, masterKey }) {
  if (phase === "download") return download(url);
  if (phase === "sync") return sync(url, dir, masterKey);
  throw new Error(`unknown phase ${phase}`);
}
