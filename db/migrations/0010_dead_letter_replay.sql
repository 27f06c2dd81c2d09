ALTER TABLE `bus_log` ADD `target_group` text;--> statement-breakpoint
ALTER TABLE `dead_letters` ADD `replayed_at` integer;--> statement-breakpoint
ALTER TABLE `dead_letters` ADD `replays` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `dead_letters_consumer_id` ON `dead_letters` (`consumer`,`id`);