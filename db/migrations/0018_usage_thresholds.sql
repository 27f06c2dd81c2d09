CREATE TABLE `subscription_minimum_spends` (
	`subscription_id` text PRIMARY KEY NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `usage_threshold_crossings` (
	`threshold_id` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`subscription_id` text NOT NULL,
	`value_reached` integer NOT NULL,
	`reached_at` integer NOT NULL,
	`early_invoice_due` integer NOT NULL,
	`invoice_id` text,
	PRIMARY KEY(`threshold_id`, `period_start`),
	FOREIGN KEY (`threshold_id`) REFERENCES `usage_thresholds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `usage_threshold_crossings_due` ON `usage_threshold_crossings` (`early_invoice_due`,`reached_at`);--> statement-breakpoint
CREATE TABLE `usage_thresholds` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`metric` text NOT NULL,
	`value` integer NOT NULL,
	`invoice_early` integer NOT NULL,
	`created_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `usage_thresholds_subscription` ON `usage_thresholds` (`subscription_id`,`id`);--> statement-breakpoint
DROP INDEX `invoices_subscription_period`;--> statement-breakpoint
ALTER TABLE `invoices` ADD `sequence` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_subscription_period_seq` ON `invoices` (`subscription_id`,`period_start`,`billing_reason`,`sequence`);