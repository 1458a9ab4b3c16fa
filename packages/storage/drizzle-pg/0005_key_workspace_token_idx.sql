DROP INDEX "usage_events_token_at_idx";--> statement-breakpoint
ALTER TABLE "keys" ADD COLUMN "workspace" text;--> statement-breakpoint
CREATE INDEX "usage_events_token_at_idx" ON "usage_events" USING btree ("token_id","at") WHERE token_id IS NOT NULL;