CREATE TABLE `meters` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`aggregation` text NOT NULL,
	`value_property` text,
	`group_by` text NOT NULL,
	`status` text NOT NULL,
	`built_in` integer DEFAULT false NOT NULL,
	`archived_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meters_code` ON `meters` (`code`);--> statement-breakpoint
CREATE INDEX `meters_status` ON `meters` (`status`,`id`);