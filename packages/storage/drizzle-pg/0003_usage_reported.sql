CREATE TABLE "usage_reported" (
	"org" text NOT NULL,
	"org_key_id" text NOT NULL,
	"model" text NOT NULL,
	"bucket_start" timestamp (3) with time zone NOT NULL,
	"bucket_minutes" integer NOT NULL,
	"key_id" text,
	"uncached_input_tokens" bigint NOT NULL,
	"cache_creation_5m_tokens" bigint NOT NULL,
	"cache_creation_1h_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"web_search_requests" bigint NOT NULL,
	"cost_usd" double precision,
	"synced_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "usage_reported_org_bucket_start_org_key_id_model_pk" PRIMARY KEY("org","bucket_start","org_key_id","model")
);
--> statement-breakpoint
CREATE INDEX "usage_reported_key_bucket_idx" ON "usage_reported" USING btree ("key_id","bucket_start");--> statement-breakpoint
-- Reported usage counts as a write for dataVersion() (see 0001): a sync in one process reaches every front.
CREATE TRIGGER "usage_reported_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "usage_reported" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
