CREATE TABLE `wallet_draws` (
	`debit_id` text NOT NULL,
	`credit_id` text NOT NULL,
	`amount` integer NOT NULL,
	FOREIGN KEY (`debit_id`) REFERENCES `wallet_entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`credit_id`) REFERENCES `wallet_entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `wallet_draws_debit` ON `wallet_draws` (`debit_id`);--> statement-breakpoint
CREATE TABLE `wallet_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`wallet_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`currency` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`remaining` integer,
	`expires_at` integer,
	`invoice_id` text,
	`source_id` text,
	`description` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`wallet_id`) REFERENCES `wallets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `wallet_entries_customer` ON `wallet_entries` (`customer_id`,`id`);--> statement-breakpoint
CREATE INDEX `wallet_entries_wallet_open` ON `wallet_entries` (`wallet_id`,`expires_at`) WHERE remaining > 0;--> statement-breakpoint
CREATE INDEX `wallet_entries_expiring` ON `wallet_entries` (`expires_at`) WHERE remaining > 0;--> statement-breakpoint
CREATE INDEX `wallet_entries_invoice` ON `wallet_entries` (`invoice_id`);--> statement-breakpoint
CREATE TABLE `wallets` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`currency` text NOT NULL,
	`auto_top_up_enabled` integer DEFAULT false NOT NULL,
	`auto_top_up_threshold` integer DEFAULT 0 NOT NULL,
	`auto_top_up_amount` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `wallets_customer_currency` ON `wallets` (`customer_id`,`currency`);--> statement-breakpoint
ALTER TABLE `invoices` ADD `wallet_applied` integer DEFAULT 0 NOT NULL;