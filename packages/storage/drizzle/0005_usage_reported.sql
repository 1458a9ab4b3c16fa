CREATE TABLE `usage_reported` (
	`org` text NOT NULL,
	`org_key_id` text NOT NULL,
	`model` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`bucket_minutes` integer NOT NULL,
	`key_id` text,
	`uncached_input_tokens` integer NOT NULL,
	`cache_creation_5m_tokens` integer NOT NULL,
	`cache_creation_1h_tokens` integer NOT NULL,
	`cache_read_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`web_search_requests` integer NOT NULL,
	`cost_usd` real,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`org`, `bucket_start`, `org_key_id`, `model`)
);
--> statement-breakpoint
CREATE INDEX `usage_reported_key_bucket_idx` ON `usage_reported` (`key_id`,`bucket_start`);