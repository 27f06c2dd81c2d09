ALTER TABLE `customers` ADD `max_subscriptions` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `billing_error` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `billing_retry_at` integer;