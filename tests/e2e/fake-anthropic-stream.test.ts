import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// The official SDK, a client we did not write, must accept the fake's stream as the real API's.
const KEY = fakeApiKey("STREAM");
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic({
    validKeys: [KEY],
    usage: { input_tokens: 21, output_tokens: 40, cache_read_input_tokens: 5 },
    stream: { chunks: 4 },
  });
});
afterAll(() => fake.close());

it("streams events the SDK assembles into a message with the final cumulative usage", async () => {
  const client = new Anthropic({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
  const stream = client.messages.stream({
    model: "claude-haiku-4-5-20251001",
    max_tokens: 64,
    messages: [{ role: "user", content: "hi" }],
  });
  const message = await stream.finalMessage();
  expect(message.content[0]).toMatchObject({ type: "text", text: "chunk 0 chunk 1 chunk 2 chunk 3 " });
  expect(message.usage).toMatchObject({ input_tokens: 21, output_tokens: 40, cache_read_input_tokens: 5 });
});
