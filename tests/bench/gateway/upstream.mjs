// A minimal stand-in for the Messages API, for the gateway benchmark: answers POST /v1/messages with a small
// JSON message (or, for `"stream": true`, a short SSE stream) with usage, after `--delay` ms. Runs as its own
// process so its work is not charged to the load generator or to the gateway under test.
//
//   node upstream.mjs --delay 0   → prints {"port":N} once listening on 127.0.0.1

import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { delay: { type: "string", default: "0" } } });
const delay = Number(values.delay);

const MESSAGE = JSON.stringify({
  id: "msg_bench",
  type: "message",
  role: "assistant",
  model: "claude-haiku-4-5-20251001",
  content: [{ type: "text", text: "ok" }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
});

const sse = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const STREAM_HEAD =
  sse("message_start", {
    message: {
      id: "msg_bench",
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5-20251001",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    },
  }) + sse("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
const STREAM_TAIL =
  sse("content_block_delta", { index: 0, delta: { type: "text_delta", text: "ok" } }) +
  sse("content_block_stop", { index: 0 }) +
  sse("message_delta", {
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: { output_tokens: 3 },
  }) +
  sse("message_stop", {});

let n = 0;
function answer(res, body) {
  const requestId = `req_bench_${++n}`;
  if (body.includes('"stream":true')) {
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "request-id": requestId,
    });
    res.write(STREAM_HEAD);
    // The tail comes a moment later, so time-to-first-byte measures the head alone.
    setTimeout(() => res.end(STREAM_TAIL), 5);
    return;
  }
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(MESSAGE),
    "request-id": requestId,
  });
  res.end(MESSAGE);
}

const server = createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    if (delay > 0) setTimeout(() => answer(res, body), delay);
    else answer(res, body);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
