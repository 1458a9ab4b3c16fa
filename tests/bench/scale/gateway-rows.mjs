// Gateway admission as the number of gateway tokens grows (issue 25, item 5): one `apikey proxy` per store (one
// key, N tokens, the bench sending the last one made), all in front of the same zero-latency upstream, measured
// in the same run as the upstream hit directly: added p50 at a fixed rate (open loop, interleaved rounds, the
// better round of each), the gateway process's own CPU time per request in those rounds (steadier than latency on
// a shared machine: it does not count time spent waiting for a core), and maximum requests/s (autocannon).
// Reuses gateway.mjs's load generator and processes.

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { fakeApiKey } from "../common.mjs";
import { fixedRate } from "../gateway/load.mjs";
import { cpuUs, parseJson, startChild } from "../gateway/processes.mjs";
import { row } from "./growth.mjs";
import { cliEnv, seedStore } from "./stores.mjs";

const UPSTREAM = fileURLToPath(new URL("../gateway/upstream.mjs", import.meta.url));
const BODY = JSON.stringify({
  model: "claude-haiku-4-5-20251001",
  max_tokens: 16,
  messages: [{ role: "user", content: "hi" }],
});

function target(name, port, credential) {
  const fixedHeaders = {
    "content-type": "application/json",
    "anthropic-version": "2023-06-01",
    "x-api-key": credential,
  };
  return {
    name,
    host: "127.0.0.1",
    port,
    url: `http://127.0.0.1:${port}/v1/messages`,
    fixedHeaders,
    headers: (body) => ({ ...fixedHeaders, "content-length": Buffer.byteLength(body) }),
  };
}

const load = (t, duration) =>
  autocannon({ url: t.url, method: "POST", headers: t.fixedHeaders, body: BODY, connections: 32, duration });

export async function gatewayRows({ cli, root, sizes, rate, seconds, throughputSeconds, say }) {
  const up = await startChild(process.execPath, [UPSTREAM, "--delay", "0"], {}, parseJson, "upstream");
  const direct = target("direct", up.value.port, fakeApiKey("SCALE_GATEWAY"));
  const gateways = [];
  for (const n of sizes) {
    say(`  seeding ${n.toLocaleString("en-US")} gateway tokens…`);
    const store = seedStore(root, `gw-${n}`, { keys: 1, profiles: 1, tokens: n });
    const env = cliEnv(root, store, { ANTHROPIC_BASE_URL: `http://127.0.0.1:${up.value.port}` });
    const { child, value } = await startChild(
      process.execPath,
      [cli, "--json", "proxy", "--port", "0"],
      { env },
      parseJson,
      `apikey proxy (${n} tokens)`,
      join(root, `gw-${n}.log`),
    );
    gateways.push({ n, child, cpu: [], t: target(`${n} tokens`, value.port, store.token) });
  }
  const all = [direct, ...gateways.map((g) => g.t)];
  say("  warming up…");
  for (const t of all) await load(t, 1);
  const p50 = new Map(all.map((t) => [t.name, []]));
  let saturated = false;
  for (let round = 0; round < 2; round++)
    for (const t of round ? [...all].reverse() : all) {
      const g = gateways.find((x) => x.t === t);
      const before = g ? cpuUs(g.child.pid) : null;
      const r = await fixedRate(t, { rate, seconds: seconds / 2, body: BODY });
      const after = g ? cpuUs(g.child.pid) : null;
      if (before !== null && after !== null) g.cpu.push((after - before) / (r.requests - r.skipped));
      if (r.errors > 0) throw new Error(`${t.name}: ${r.errors} requests failed`);
      // Requests queued behind the machine, not behind the gateway: the latency measures the load from elsewhere.
      if (r.skipped > 0 || r.achievedRate < rate * 0.9) saturated = true;
      p50.get(t.name).push(r.p50Us);
    }
  const best = (t) => Math.min(...p50.get(t.name));
  const reqs = [];
  for (const g of gateways) {
    await load(g.t, 1);
    const r = await load(g.t, throughputSeconds);
    if (r.non2xx + r.errors > 0) throw new Error(`${g.t.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    reqs.push(r.requests.average);
  }
  for (const c of [up.child, ...gateways.map((g) => g.child)]) c.kill("SIGTERM");
  const directP50 = best(direct);
  const note = `baseline: direct p50 ${(directP50 / 1000).toFixed(3)} ms at ${rate}/s (same run)${saturated ? "; the machine could not hold the rate: no verdict" : ""}`;
  const added = row(
    "gateway admission: added p50",
    sizes,
    gateways.map((g) => (best(g.t) - directP50) / 1000),
    "ms",
    { note },
  );
  if (saturated) Object.assign(added, { verdict: "not measured (machine saturated)", defect: false });
  const cpu = gateways.map((g) => (g.cpu.length ? Math.min(...g.cpu) : Number.NaN));
  return [
    added,
    row("gateway admission: CPU per request", sizes, cpu, "µs"),
    row("gateway admission: requests/s", sizes, reqs, "req/s", { higherIsBetter: true }),
  ];
}
