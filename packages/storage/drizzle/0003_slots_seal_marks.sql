CREATE TABLE `marks` (
	`name` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `marks_at_idx` ON `marks` (`at`);--> statement-breakpoint
CREATE TABLE `master_key_slots` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`params` text,
	`wrapped_dek` blob NOT NULL,
	`dek_nonce` blob NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `master_key_slots_name_unique` ON `master_key_slots` (`name`);--> statement-breakpoint
ALTER TABLE `keys` ADD `seal` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Existing stores: their one wrapped data key becomes the first slot, named after its provider. Hand-written.
INSERT INTO `master_key_slots` (`id`, `name`, `kind`, `params`, `wrapped_dek`, `dek_nonce`, `created_at`, `last_used_at`)
SELECT lower(hex(randomblob(16))), `kek_provider`, `kek_provider`, `kdf`, `wrapped_dek`, `dek_nonce`, `created_at`, NULL
FROM `store_meta` WHERE `id` = 1;--> statement-breakpoint
ALTER TABLE `store_meta` DROP COLUMN `kek_provider`;--> statement-breakpoint
ALTER TABLE `store_meta` DROP COLUMN `kdf`;--> statement-breakpoint
ALTER TABLE `store_meta` DROP COLUMN `wrapped_dek`;--> statement-breakpoint
ALTER TABLE `store_meta` DROP COLUMN `dek_nonce`;