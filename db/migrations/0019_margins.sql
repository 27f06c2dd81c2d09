CREATE TABLE `model_prices` (
	`id` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`currency` text NOT NULL,
	`version` integer NOT NULL,
	`cost_per_1k_micros` integer NOT NULL,
	`effective_from` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_prices_version` ON `model_prices` (`model`,`currency`,`version`);--> statement-breakpoint
CREATE INDEX `model_prices_effective` ON `model_prices` (`model`,`currency`,`effective_from`);--> statement-breakpoint
CREATE TABLE `plan_suggestions` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`period_start` integer NOT NULL,
	`suggested_plan_id` text NOT NULL,
	`currency` text NOT NULL,
	`current_cost` integer NOT NULL,
	`suggested_cost` integer NOT NULL,
	`saving` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plan_suggestions_once` ON `plan_suggestions` (`subscription_id`,`period_start`);--> statement-breakpoint
CREATE INDEX `plan_suggestions_customer` ON `plan_suggestions` (`customer_id`,`id`);