CREATE TABLE `usage_periods` (
	`subscription_id` text NOT NULL,
	`period_start` integer NOT NULL,
	`used_tokens` integer NOT NULL,
	`overage_tokens` integer NOT NULL,
	`quota_exceeded` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`subscription_id`, `period_start`),
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `usage_records` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`model` text NOT NULL,
	`tokens` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`period_start` integer NOT NULL,
	`overage_tokens` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `usage_records_subscription_period` ON `usage_records` (`subscription_id`,`period_start`);--> statement-breakpoint
CREATE INDEX `usage_records_customer` ON `usage_records` (`customer_id`);