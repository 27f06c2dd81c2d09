CREATE TABLE `feature_consumptions` (
	`customer_id` text NOT NULL,
	`client_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`feature` text NOT NULL,
	`amount` integer NOT NULL,
	`period_start` integer NOT NULL,
	`consumed_at` integer NOT NULL,
	PRIMARY KEY(`customer_id`, `client_id`),
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `feature_consumptions_subscription` ON `feature_consumptions` (`subscription_id`,`feature`,`period_start`);--> statement-breakpoint
CREATE TABLE `feature_usage` (
	`subscription_id` text NOT NULL,
	`feature` text NOT NULL,
	`period_start` integer NOT NULL,
	`used` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`subscription_id`, `feature`, `period_start`),
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `subscription_entitlements` (
	`subscription_id` text NOT NULL,
	`feature` text NOT NULL,
	`type` text NOT NULL,
	`limit` integer,
	`value` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`subscription_id`, `feature`),
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `plan_versions` ADD `entitlements` text;