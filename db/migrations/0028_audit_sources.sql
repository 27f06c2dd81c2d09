ALTER TABLE `audit_log` ADD `source` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `event_id` text;--> statement-breakpoint
CREATE INDEX `audit_source` ON `audit_log` (`source`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `audit_source_event` ON `audit_log` (`source`,`event_id`);