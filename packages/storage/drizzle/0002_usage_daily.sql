CREATE TABLE `usage_daily` (
	`day` integer NOT NULL,
	`key_id` text NOT NULL,
	`model` text NOT NULL,
	`requests` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cache_creation_tokens` integer NOT NULL,
	`cache_read_tokens` integer NOT NULL,
	`cost_usd` real NOT NULL,
	`unpriced_requests` integer NOT NULL,
	PRIMARY KEY(`day`, `key_id`, `model`),
	FOREIGN KEY (`key_id`) REFERENCES `keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Hand-written backfill: stores that already hold events get their history in the rollup. The day is
-- floor(at / 86400000); SQLite's integer division truncates, so a negative `at` would need one day less.
INSERT INTO `usage_daily` (`day`, `key_id`, `model`, `requests`, `input_tokens`, `output_tokens`, `cache_creation_tokens`, `cache_read_tokens`, `cost_usd`, `unpriced_requests`)
SELECT `at` / 86400000 - (`at` < 0 AND `at` % 86400000 != 0), `key_id`, `model`, count(*), sum(`input_tokens`), sum(`output_tokens`), sum(`cache_creation_tokens`), sum(`cache_read_tokens`), total(`cost_usd`), count(*) - count(`cost_usd`)
FROM `usage_events` GROUP BY 1, 2, 3;
