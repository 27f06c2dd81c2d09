ALTER TABLE `outbox` ADD `request_id` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `traceparent` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `request_id` text;