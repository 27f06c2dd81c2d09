CREATE TABLE `credit_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`reason` text NOT NULL,
	`invoice_id` text,
	`description` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `credit_entries_customer` ON `credit_entries` (`customer_id`,`currency`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_entries_one_bonus` ON `credit_entries` (`customer_id`) WHERE reason = 'first_payment_bonus';--> statement-breakpoint
CREATE TABLE `invoice_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`invoice_id` text NOT NULL,
	`kind` text NOT NULL,
	`description` text NOT NULL,
	`amount` integer NOT NULL,
	`quantity` integer NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`source_id` text,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `invoice_lines_invoice` ON `invoice_lines` (`invoice_id`,`id`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text,
	`customer_id` text NOT NULL,
	`subscription_id` text,
	`status` text NOT NULL,
	`billing_reason` text NOT NULL,
	`currency` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`subtotal` integer NOT NULL,
	`tax_rate_bps` integer NOT NULL,
	`tax` integer NOT NULL,
	`total` integer NOT NULL,
	`credit_applied` integer NOT NULL,
	`amount_due` integer NOT NULL,
	`amount_paid` integer NOT NULL,
	`auto_collect` integer NOT NULL,
	`attempt_count` integer NOT NULL,
	`next_attempt_at` integer,
	`first_failed_at` integer,
	`finalize_at` integer NOT NULL,
	`finalized_at` integer,
	`paid_at` integer,
	`voided_at` integer,
	`uncollectible_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_subscription_period` ON `invoices` (`subscription_id`,`period_start`,`billing_reason`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number` ON `invoices` (`number`);--> statement-breakpoint
CREATE INDEX `invoices_customer` ON `invoices` (`customer_id`,`id`);--> statement-breakpoint
CREATE INDEX `invoices_status` ON `invoices` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `invoices_due` ON `invoices` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `loyalty` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`revenue` text NOT NULL,
	`paid_invoices` integer NOT NULL,
	`usage_tokens` integer NOT NULL,
	`first_payment_at` integer,
	`first_subscribed_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `payment_steps` (
	`payment_id` text NOT NULL,
	`seq` integer NOT NULL,
	`name` text NOT NULL,
	`outcome` text NOT NULL,
	`detail` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`payment_id`, `seq`),
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`invoice_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`payment_method` text,
	`status` text NOT NULL,
	`trigger` text NOT NULL,
	`attempt` integer NOT NULL,
	`provider` text NOT NULL,
	`provider_reference` text,
	`refund_reference` text,
	`failure_code` text,
	`failure_message` text,
	`locked_until` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `payments_invoice` ON `payments` (`invoice_id`,`id`);--> statement-breakpoint
CREATE INDEX `payments_customer` ON `payments` (`customer_id`,`id`);--> statement-breakpoint
CREATE INDEX `payments_status` ON `payments` (`status`,`locked_until`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_one_live_per_invoice` ON `payments` (`invoice_id`) WHERE status in ('pending', 'charged');--> statement-breakpoint
ALTER TABLE `customers` ADD `tax_rate_bps` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `payment_method` text;--> statement-breakpoint
ALTER TABLE `subscription_adjustments` ADD `invoice_id` text;