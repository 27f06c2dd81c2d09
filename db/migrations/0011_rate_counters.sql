CREATE TABLE `rate_counters` (
	`key` text PRIMARY KEY NOT NULL,
	`resets_at` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rate_counters_resets_at` ON `rate_counters` (`resets_at`);--> statement-breakpoint
DROP TABLE `login_failures`;