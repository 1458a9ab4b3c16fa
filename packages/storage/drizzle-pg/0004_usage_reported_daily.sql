CREATE TABLE "usage_reported_daily" (
	"day" integer NOT NULL,
	"org" text NOT NULL,
	"org_key_id" text NOT NULL,
	"key_id" text,
	"model" text NOT NULL,
	"uncached_input_tokens" bigint NOT NULL,
	"cache_creation_5m_tokens" bigint NOT NULL,
	"cache_creation_1h_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"web_search_requests" bigint NOT NULL,
	"cost_usd" double precision NOT NULL,
	"unpriced_rows" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "usage_reported_daily_day_org_idx" ON "usage_reported_daily" USING btree ("day","org");--> statement-breakpoint
-- The rollup counts as a write for dataVersion() (see 0001), like the rows it sums.
CREATE TRIGGER "usage_reported_daily_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "usage_reported_daily" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
-- Hand-written backfill: stores that already hold reported usage get it in the rollup (see the SQLite twin, 0006).
INSERT INTO "usage_reported_daily" ("day", "org", "org_key_id", "key_id", "model", "uncached_input_tokens", "cache_creation_5m_tokens", "cache_creation_1h_tokens", "cache_read_tokens", "output_tokens", "web_search_requests", "cost_usd", "unpriced_rows")
SELECT floor(extract(epoch from "bucket_start") * 1000 / 86400000)::integer, "org", "org_key_id", "key_id", "model", sum("uncached_input_tokens"), sum("cache_creation_5m_tokens"), sum("cache_creation_1h_tokens"), sum("cache_read_tokens"), sum("output_tokens"), sum("web_search_requests"), coalesce(sum("cost_usd"), 0), count(*) - count("cost_usd")
FROM "usage_reported" GROUP BY 1, 2, 3, 4, 5;
