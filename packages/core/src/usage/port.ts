// The usage-accounting part of the Store port. Filled in by the usage-accounting work (issue 3).

/** One request's usage, as recorded by the gateway or an instrumented client. */
export interface UsageEvent {
  id: number;
  keyId: string;
  at: Date;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  /** null when the model is not in the price table. */
  costUsd: number | null;
  requestId: string | null;
  front: string;
}

export interface UsageRepository {
  record(event: Omit<UsageEvent, "id">): Promise<void>;
  /** Many events in one transaction: the bulk path. */
  recordMany(events: Array<Omit<UsageEvent, "id">>): Promise<void>;
  /** Newest first. */
  list(filter?: { keyId?: string; since?: Date; limit?: number }): Promise<UsageEvent[]>;
}
