import { afterEach, expect, it } from "vitest";
import { type LoopbackReceiver, startLoopback } from "./loopback.ts";

let receiver: LoopbackReceiver | undefined;
afterEach(() => receiver?.close());

it("item 12: a stray callback with the wrong state is answered 400 and the login keeps waiting for the right one", async () => {
  receiver = await startLoopback();
  receiver.expectState("expected-state-123");
  const waiting = receiver.wait(10_000);

  const stray = await fetch(`${receiver.redirectUri}?state=wrong&code=evil`);
  expect(stray.status).toBe(400);
  expect(await stray.text()).not.toContain("Login received");
  const noState = await fetch(`${receiver.redirectUri}?code=evil`);
  expect(noState.status).toBe(400);
  await noState.text();

  const right = await fetch(`${receiver.redirectUri}?state=expected-state-123&code=good`);
  expect(right.status).toBe(200);
  expect(await right.text()).toContain("Login received");
  const params = await waiting;
  expect(params.get("code")).toBe("good");
});
