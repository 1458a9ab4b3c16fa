import {
  type Counts,
  countsOf,
  createUsageExtractor,
  type ExtractedUsage,
  type ExtractorOptions,
  usageFromJson,
} from "@apikey/core";

// What the gateway records from a response passing through it: the core's one usage extractor (JSON and SSE,
// shared with the instrumented client), reduced to the figures of a usage event.

export interface TappedUsage extends Counts {
  model: string;
  /** Why the figures cannot be believed (a count out of range); they are then recorded as 0 with no cost. */
  refused: string | null;
}

export interface UsageTap {
  /** See UsageExtractor.push: true for the chunk that completes the response for a client. */
  push(chunk: Buffer): boolean;
  /** The usage seen (complete after the last chunk); null when the body reported none. */
  result(): TappedUsage | null;
}

export type TapOptions = ExtractorOptions;

function tapped(u: ExtractedUsage | null): TappedUsage | null {
  if (!u?.reported) return null;
  return { model: u.model ?? "unknown", ...countsOf(u), refused: u.refused };
}

export function createUsageTap(options: TapOptions): UsageTap {
  const extractor = createUsageExtractor(options);
  let result: TappedUsage | null | undefined;
  return {
    push: (chunk) => extractor.push(chunk),
    result() {
      if (result === undefined) result = tapped(extractor.end());
      return result;
    },
  };
}

export function usageFromJsonBody(body: Buffer): TappedUsage | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  return tapped(usageFromJson(doc));
}
