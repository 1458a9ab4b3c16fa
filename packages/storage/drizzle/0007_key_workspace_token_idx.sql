DROP INDEX `usage_events_token_at_idx`;--> statement-breakpoint
CREATE INDEX `usage_events_token_at_idx` ON `usage_events` (`token_id`,`at`) WHERE token_id IS NOT NULL;--> statement-breakpoint
ALTER TABLE `keys` ADD `workspace` text;