CREATE TABLE `oauth_providers` (
	`name` text PRIMARY KEY NOT NULL,
	`issuer` text,
	`authorization_endpoint` text NOT NULL,
	`token_endpoint` text NOT NULL,
	`client_id` text NOT NULL,
	`scopes` text NOT NULL,
	`key_minting_url` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pending_deactivations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key_id` text NOT NULL,
	`profile` text NOT NULL,
	`key_hint` text NOT NULL,
	`upstream_id` text,
	`due_at` integer NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pending_deactivations_state_due_idx` ON `pending_deactivations` (`state`,`due_at`);--> statement-breakpoint
CREATE TABLE `settings` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `store_secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`ciphertext` blob NOT NULL,
	`nonce` blob NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `keys` ADD `budget_mode` text DEFAULT 'warn' NOT NULL;--> statement-breakpoint
ALTER TABLE `keys` ADD `refresh_ciphertext` blob;--> statement-breakpoint
ALTER TABLE `keys` ADD `refresh_nonce` blob;--> statement-breakpoint
ALTER TABLE `keys` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `keys` ADD `oauth_provider` text;