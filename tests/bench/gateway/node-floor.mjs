// The floor for the gateway benchmark: the least a Node.js gateway can do — node:http in front, undici's pool
// behind (the same two components and the same undici as `apikey proxy`), every request passed through as it
// is, with no token check, no key swap, no usage recording and no log. Whatever this adds over direct, any
// gateway built on them adds; what apikey adds beyond it is the cost of apikey's own work.
//
//   node node-floor.mjs --upstream http://127.0.0.1:PORT   → prints {"port":N} once listening on 127.0.0.1

import http from "node:http";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { upstream: { type: "string" } } });
if (!values.upstream) throw new Error("--upstream is required");
// The gateway package's own undici, so the floor moves with it.
const { Pool } = createRequire(new URL("../../../packages/gateway/package.json", import.meta.url))("undici");
const pool = new Pool(values.upstream, { connections: null, pipelining: 1 });
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host"]);

const server = http.createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  pool.dispatch(
    { method: req.method, path: req.url, headers, body: req },
    {
      onRequestStart() {},
      onResponseStart(_controller, status, upstreamHeaders) {
        const out = {};
        for (const [name, value] of Object.entries(upstreamHeaders))
          if (!HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(status, out);
      },
      onResponseData(controller, chunk) {
        if (!res.write(chunk)) {
          controller.pause();
          res.once("drain", () => controller.resume());
        }
      },
      onResponseEnd() {
        res.end();
      },
      onResponseError(_controller, err) {
        if (res.headersSent) res.destroy(err);
        else res.writeHead(502).end();
      },
    },
  );
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
