import { z } from "zod";

// The Usage & Cost Admin API's messages report, validated where it enters (one page at a time). Dimensions we do
// not group by come back null; fields the API adds later are ignored, fields we rely on are required.

const count = z.number().int().nonnegative();
const time = z.string().datetime({ offset: true });

const ReportResult = z.object({
  api_key_id: z.string().min(1).nullable(),
  model: z.string().nullable(),
  uncached_input_tokens: count,
  cache_creation: z.object({ ephemeral_5m_input_tokens: count, ephemeral_1h_input_tokens: count }),
  cache_read_input_tokens: count,
  output_tokens: count,
  server_tool_use: z.object({ web_search_requests: count }).nullable().optional(),
});

const ReportBucket = z.object({ starting_at: time, ending_at: time, results: z.array(ReportResult) });

export const ReportPage = z.object({
  data: z.array(ReportBucket),
  has_more: z.boolean(),
  next_page: z.string().min(1).nullable(),
});

export type ReportPage = z.infer<typeof ReportPage>;
export type ReportBucket = z.infer<typeof ReportBucket>;
export type ReportResult = z.infer<typeof ReportResult>;

const OrgKey = z.object({
  id: z.string().min(1),
  name: z.string().nullable().optional(),
  status: z.string(),
  partial_key_hint: z.string().nullable().optional(),
});

export const OrgKeyPage = z.object({
  data: z.array(OrgKey),
  has_more: z.boolean(),
  last_id: z.string().nullable().optional(),
});

export type OrgKey = z.infer<typeof OrgKey>;
