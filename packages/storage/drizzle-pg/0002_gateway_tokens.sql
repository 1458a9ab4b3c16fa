CREATE TABLE "gateway_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"profile" text,
	"hash" text NOT NULL,
	"monthly_budget_usd" double precision,
	"budget_mode" text DEFAULT 'warn' NOT NULL,
	"models" text,
	"expires_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"last_used_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "token_id" text;--> statement-breakpoint
ALTER TABLE "gateway_tokens" ADD CONSTRAINT "gateway_tokens_profile_profiles_name_fk" FOREIGN KEY ("profile") REFERENCES "public"."profiles"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_tokens_name_live_uq" ON "gateway_tokens" USING btree ("name") WHERE revoked_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_tokens_hash_uq" ON "gateway_tokens" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "usage_events_token_at_idx" ON "usage_events" USING btree ("token_id","at");--> statement-breakpoint
-- Token changes count as writes for dataVersion() (see 0001): a revocation in one process reaches every gateway.
CREATE TRIGGER "gateway_tokens_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "gateway_tokens" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
