CREATE TABLE `sandbox_payment_operations` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`outcome` text NOT NULL,
	`reference` text,
	`decline_code` text,
	`decline_message` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`description` text NOT NULL,
	`charge_key` text,
	`refunded` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sandbox_payment_operations_key` ON `sandbox_payment_operations` (`kind`,`idempotency_key`);