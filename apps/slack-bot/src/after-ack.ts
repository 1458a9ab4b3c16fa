// The slow part of a command (reading the store, checking rights, answering through response_url) runs after its
// ack, a few at a time: in a burst, every request's path to its own ack (signature, guards, the replay claim) then
// shares the one event loop with at most this many answers being built, not with all of them (issue 22 item 11).

export type AfterAck = <T>(work: () => Promise<T>) => Promise<T>;

export function afterAckQueue(concurrency: number): AfterAck {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    // A finished job hands its place straight to the next in line, so no newcomer slips in between.
    if (running < concurrency) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
