CREATE TABLE `subscription_add_ons` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`unit_amount` integer NOT NULL,
	`quantity` integer NOT NULL,
	`currency` text NOT NULL,
	`removed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer NOT NULL,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `subscription_add_ons_subscription` ON `subscription_add_ons` (`subscription_id`,`id`);--> statement-breakpoint
CREATE TABLE `usage_aggregates` (
	`subscription_id` text NOT NULL,
	`period_start` integer NOT NULL,
	`meter` text NOT NULL,
	`dimensions` text NOT NULL,
	`quantity` integer NOT NULL,
	`latest_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`subscription_id`, `period_start`, `meter`, `dimensions`),
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `usage_unique_values` (
	`subscription_id` text NOT NULL,
	`period_start` integer NOT NULL,
	`meter` text NOT NULL,
	`dimensions` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`subscription_id`, `period_start`, `meter`, `dimensions`, `value`),
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `subscription_price_overrides` (
	`subscription_id` text NOT NULL,
	`version` integer NOT NULL,
	`charges` text NOT NULL,
	`seat_price` integer,
	`note` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`subscription_id`, `version`),
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `meter` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `dimensions` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `unit_price` text;--> statement-breakpoint
ALTER TABLE `invoice_lines` ADD `pricing` text;--> statement-breakpoint
ALTER TABLE `plan_prices` ADD `seat_price` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `plan_versions` ADD `charges` text;--> statement-breakpoint
ALTER TABLE `plan_versions` ADD `seat_price` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `seats` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `meter` text DEFAULT 'ai_tokens' NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `properties` text;--> statement-breakpoint
-- Usage recorded before meters existed counts in the built-in meter's aggregates, by model (no token type).
INSERT INTO `usage_aggregates` (`subscription_id`, `period_start`, `meter`, `dimensions`, `quantity`, `latest_at`, `updated_at`)
SELECT `subscription_id`, `period_start`, 'ai_tokens', json_object('model', `model`), sum(`tokens`), max(`occurred_at`), max(`recorded_at`)
FROM `usage_records` GROUP BY `subscription_id`, `period_start`, `model`;
