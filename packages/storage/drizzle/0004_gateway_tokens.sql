CREATE TABLE `gateway_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`profile` text,
	`hash` text NOT NULL,
	`monthly_budget_usd` real,
	`budget_mode` text DEFAULT 'warn' NOT NULL,
	`models` text,
	`expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`profile`) REFERENCES `profiles`(`name`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gateway_tokens_name_live_uq` ON `gateway_tokens` (`name`) WHERE revoked_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `gateway_tokens_hash_uq` ON `gateway_tokens` (`hash`);--> statement-breakpoint
ALTER TABLE `usage_events` ADD `token_id` text;--> statement-breakpoint
CREATE INDEX `usage_events_token_at_idx` ON `usage_events` (`token_id`,`at`);