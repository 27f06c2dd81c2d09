ALTER TABLE `idempotency_keys` ADD `owner` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `idempotency_keys` ADD `recovery_point` text;