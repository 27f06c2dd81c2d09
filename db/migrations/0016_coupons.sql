CREATE TABLE `coupons` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`percent_off_bps` integer,
	`amount_off` integer,
	`currency` text,
	`duration` text NOT NULL,
	`duration_periods` integer,
	`applies_to_plans` text,
	`max_redemptions` integer,
	`times_redeemed` integer DEFAULT 0 NOT NULL,
	`redeem_by` integer,
	`status` text NOT NULL,
	`archived_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coupons_code` ON `coupons` (`code`);--> statement-breakpoint
CREATE INDEX `coupons_status` ON `coupons` (`status`,`id`);--> statement-breakpoint
CREATE TABLE `subscription_discounts` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`coupon_id` text NOT NULL,
	`status` text NOT NULL,
	`periods_applied` integer DEFAULT 0 NOT NULL,
	`last_period_start` integer,
	`ended_at` integer,
	`removed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`coupon_id`) REFERENCES `coupons`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscription_discounts_active` ON `subscription_discounts` (`subscription_id`) WHERE status = 'active';--> statement-breakpoint
CREATE INDEX `subscription_discounts_subscription` ON `subscription_discounts` (`subscription_id`,`id`);--> statement-breakpoint
CREATE INDEX `subscription_discounts_coupon` ON `subscription_discounts` (`coupon_id`);