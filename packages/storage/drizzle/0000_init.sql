CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`front` text NOT NULL,
	`action` text NOT NULL,
	`key_id` text,
	`profile` text,
	`details` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_log_key_id_idx` ON `audit_log` (`key_id`);--> statement-breakpoint
CREATE TABLE `keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`profile` text NOT NULL,
	`provider` text NOT NULL,
	`kind` text NOT NULL,
	`source` text NOT NULL,
	`organization` text,
	`status` text NOT NULL,
	`ciphertext` blob NOT NULL,
	`nonce` blob NOT NULL,
	`hint` text NOT NULL,
	`fingerprint` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_used_at` integer,
	`last_validated_at` integer,
	`validation` text,
	`validation_message` text,
	`rotated_from_id` text,
	`rotated_to_id` text,
	`upstream_id` text,
	`monthly_budget_usd` real,
	FOREIGN KEY (`profile`) REFERENCES `profiles`(`name`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `keys_profile_name_live_uq` ON `keys` (`profile`,`name`) WHERE status != 'rotated';--> statement-breakpoint
CREATE UNIQUE INDEX `keys_fingerprint_uq` ON `keys` (`fingerprint`);--> statement-breakpoint
CREATE INDEX `keys_profile_idx` ON `keys` (`profile`);--> statement-breakpoint
CREATE TABLE `profiles` (
	`name` text PRIMARY KEY NOT NULL,
	`active_key_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`active_key_id`) REFERENCES `keys`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `store_meta` (
	`id` integer PRIMARY KEY NOT NULL,
	`kek_provider` text NOT NULL,
	`kdf` text,
	`wrapped_dek` blob NOT NULL,
	`dek_nonce` blob NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "store_meta_single_row" CHECK(id = 1)
);
--> statement-breakpoint
CREATE TABLE `usage_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key_id` text NOT NULL,
	`at` integer NOT NULL,
	`model` text NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cache_creation_tokens` integer DEFAULT 0 NOT NULL,
	`cache_read_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real,
	`request_id` text,
	`front` text NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `usage_events_key_at_idx` ON `usage_events` (`key_id`,`at`);--> statement-breakpoint
CREATE INDEX `usage_events_at_idx` ON `usage_events` (`at`);