DROP INDEX `outbox_type`;--> statement-breakpoint
CREATE INDEX `outbox_type_rowid` ON `outbox` (`type`);--> statement-breakpoint
CREATE INDEX `outbox_subject_rowid` ON `outbox` (`subject`);--> statement-breakpoint
CREATE INDEX `credit_entries_customer_id` ON `credit_entries` (`customer_id`,`id`);--> statement-breakpoint
CREATE INDEX `invoices_subscription` ON `invoices` (`subscription_id`,`id`);