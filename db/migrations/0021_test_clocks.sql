CREATE TABLE `test_clocks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`frozen_time` integer NOT NULL,
	`status` text NOT NULL,
	`advancing_to` integer,
	`version` integer NOT NULL,
	`deleted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `test_clocks_live` ON `test_clocks` (`deleted_at`,`id`);--> statement-breakpoint
ALTER TABLE `customers` ADD `test_clock_id` text REFERENCES test_clocks(id);--> statement-breakpoint
CREATE INDEX `customers_test_clock` ON `customers` (`test_clock_id`) WHERE test_clock_id IS NOT NULL;