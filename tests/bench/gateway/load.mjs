// Load generators for the gateway benchmark with microsecond resolution (autocannon's latency histogram
// counts whole milliseconds, too coarse for sub-millisecond overheads; it is used for throughput only).

import http from "node:http";

/** One POST; resolves with the time to the first body byte and to the end, in microseconds. */
function request(agent, target, body) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let first = 0n;
    const req = http.request(
      {
        agent,
        host: target.host,
        port: target.port,
        path: "/v1/messages",
        method: "POST",
        headers: target.headers(body),
      },
      (res) => {
        res.on("data", () => {
          if (first === 0n) first = process.hrtime.bigint();
        });
        res.on("end", () => {
          const end = process.hrtime.bigint();
          resolve({
            status: res.statusCode,
            ttfbUs: Number((first || end) - started) / 1000,
            totalUs: Number(end - started) / 1000,
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/**
 * Open loop at a fixed rate: requests start on schedule whether or not earlier ones finished (so a slow target
 * shows queueing in its latency instead of quietly lowering the rate). Bounded by `maxInFlight`; requests
 * that could not start for that reason are counted as `skipped`.
 *
 * The generator sleeps in timers and, on each wake-up, starts every request that has come due (at 1,000/s that is
 * one or two per wake-up). It never spins: a busy-waiting generator takes a whole core from the target it
 * measures, which a real client does not do. Latency is timed from each request's actual start.
 */
export async function fixedRate(target, { rate, seconds, body, maxInFlight = 256 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const latencies = [];
  let inFlight = 0;
  let skipped = 0;
  let errors = 0;
  const total = Math.round(rate * seconds);
  const intervalNs = 1e9 / rate;
  const start = process.hrtime.bigint();
  const pending = [];
  const dueAt = (i) => start + BigInt(Math.round(i * intervalNs));
  let i = 0;
  while (i < total) {
    const now = process.hrtime.bigint();
    for (; i < total && dueAt(i) <= now; i++) {
      if (inFlight >= maxInFlight) {
        skipped++;
        continue;
      }
      inFlight++;
      pending.push(
        request(agent, target, body).then(
          (r) => {
            inFlight--;
            if (r.status === 200) latencies.push(r.totalUs);
            else errors++;
          },
          () => {
            inFlight--;
            errors++;
          },
        ),
      );
    }
    if (i < total) {
      const waitMs = Number(dueAt(i) - process.hrtime.bigint()) / 1e6;
      await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
    }
  }
  await Promise.all(pending);
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: total,
    achievedRate: (latencies.length + errors) / elapsedS,
    p50Us: percentile(latencies, 50),
    p99Us: percentile(latencies, 99),
    errors,
    skipped,
  };
}

/** Sequential streamed requests: time to the first body byte. */
export async function timeToFirstByte(target, { count, body }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ttfb = [];
  let errors = 0;
  for (let i = 0; i < count; i++) {
    try {
      const r = await request(agent, target, body);
      if (r.status === 200) ttfb.push(r.ttfbUs);
      else errors++;
    } catch {
      errors++;
    }
  }
  agent.destroy();
  ttfb.sort((a, b) => a - b);
  return { p50Us: percentile(ttfb, 50), p99Us: percentile(ttfb, 99), errors };
}
