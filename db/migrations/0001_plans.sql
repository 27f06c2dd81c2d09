CREATE TABLE `plan_versions` (
	`plan_id` text NOT NULL,
	`version` integer NOT NULL,
	`name` text NOT NULL,
	`price_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`interval` text NOT NULL,
	`trial_days` integer NOT NULL,
	`included_tokens` integer NOT NULL,
	`overage_price_per_1k` integer NOT NULL,
	`quota_policy` text NOT NULL,
	`features` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`plan_id`, `version`),
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`current_version` integer NOT NULL,
	`status` text NOT NULL,
	`archived_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plans_code` ON `plans` (`code`);--> statement-breakpoint
CREATE INDEX `plans_status` ON `plans` (`status`,`id`);