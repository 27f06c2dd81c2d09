CREATE TABLE `customers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`email` text,
	`kind` text NOT NULL,
	`country` text,
	`phone` text,
	`metadata` text DEFAULT '{}' NOT NULL,
	`status` text NOT NULL,
	`segment` text NOT NULL,
	`version` integer NOT NULL,
	`erased_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_email_live` ON `customers` (`email`) WHERE status <> 'erased';--> statement-breakpoint
CREATE INDEX `customers_status` ON `customers` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `customers_segment` ON `customers` (`segment`,`id`);--> statement-breakpoint
CREATE INDEX `customers_kind` ON `customers` (`kind`,`id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`email` text,
	`name` text,
	`role` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_customer_email_live` ON `users` (`customer_id`,`email`) WHERE status <> 'removed';--> statement-breakpoint
CREATE INDEX `users_customer` ON `users` (`customer_id`,`id`);--> statement-breakpoint
CREATE TABLE `operators` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`disabled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `operators_email_unique` ON `operators` (`email`);--> statement-breakpoint
CREATE TABLE `bus_log` (
	`offset` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`subject` text NOT NULL,
	`envelope` text NOT NULL,
	`appended_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bus_log_event_id_unique` ON `bus_log` (`event_id`);--> statement-breakpoint
CREATE INDEX `bus_log_type` ON `bus_log` (`type`,`offset`);--> statement-breakpoint
CREATE INDEX `bus_log_subject` ON `bus_log` (`subject`);--> statement-breakpoint
CREATE TABLE `consumer_positions` (
	`consumer_group` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL,
	`types` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`consumer` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`envelope` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dead_letters_consumer_event` ON `dead_letters` (`consumer`,`event_id`);--> statement-breakpoint
CREATE TABLE `inbox` (
	`consumer` text NOT NULL,
	`event_id` text NOT NULL,
	`handled_at` integer NOT NULL,
	PRIMARY KEY(`consumer`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `inbox_event` ON `inbox` (`event_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`source` text NOT NULL,
	`subject` text NOT NULL,
	`sequence` integer NOT NULL,
	`time` integer NOT NULL,
	`data` text NOT NULL,
	`published_at` integer,
	`claimed_until` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_subject_sequence` ON `outbox` (`subject`,`sequence`);--> statement-breakpoint
CREATE INDEX `outbox_unpublished` ON `outbox` (`id`) WHERE published_at IS NULL;--> statement-breakpoint
CREATE INDEX `outbox_type` ON `outbox` (`type`,`id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`request_id` text,
	`at` integer NOT NULL,
	`data` text
);
--> statement-breakpoint
CREATE INDEX `audit_target` ON `audit_log` (`target_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_action` ON `audit_log` (`action`,`id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`principal` text NOT NULL,
	`key` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`request_hash` text NOT NULL,
	`state` text NOT NULL,
	`response_status` integer,
	`response_body` text,
	`locked_until` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`principal`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `customer_notifications` (
	`notification_id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`channel` text NOT NULL,
	`template` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`event_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `customer_notifications_customer` ON `customer_notifications` (`customer_id`,`notification_id`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`channel` text NOT NULL,
	`template` text NOT NULL,
	`recipient` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_event_channel` ON `notifications` (`event_id`,`channel`);--> statement-breakpoint
CREATE INDEX `notifications_due` ON `notifications` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `notifications_customer` ON `notifications` (`customer_id`,`id`);--> statement-breakpoint
CREATE TABLE `profiles` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`segment` text NOT NULL,
	`risk_score` integer NOT NULL,
	`segment_reasons` text NOT NULL,
	`risk_reasons` text NOT NULL,
	`source_sequence` integer NOT NULL,
	`computed_at` integer NOT NULL
);
