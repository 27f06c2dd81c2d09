PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_usage_records` (
	`customer_id` text NOT NULL,
	`client_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`model` text NOT NULL,
	`tokens` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`period_start` integer NOT NULL,
	`overage_tokens` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	PRIMARY KEY(`customer_id`, `client_id`),
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_usage_records`("customer_id", "client_id", "subscription_id", "model", "tokens", "occurred_at", "period_start", "overage_tokens", "recorded_at") SELECT "customer_id", "id", "subscription_id", "model", "tokens", "occurred_at", "period_start", "overage_tokens", "recorded_at" FROM `usage_records`;--> statement-breakpoint
DROP TABLE `usage_records`;--> statement-breakpoint
ALTER TABLE `__new_usage_records` RENAME TO `usage_records`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `usage_records_subscription_period` ON `usage_records` (`subscription_id`,`period_start`);