CREATE TABLE `plan_prices` (
	`plan_id` text NOT NULL,
	`version` integer NOT NULL,
	`currency` text NOT NULL,
	`price_amount` integer NOT NULL,
	`overage_price_per_1k` integer NOT NULL,
	PRIMARY KEY(`plan_id`, `version`, `currency`),
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `customers` ADD `currency` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `currency` text;--> statement-breakpoint
-- Rows older than multi-currency bill in their plan version's (then only) currency.
UPDATE `subscriptions` SET `currency` = (SELECT `plan_versions`.`currency` FROM `plan_versions` WHERE `plan_versions`.`plan_id` = `subscriptions`.`plan_id` AND `plan_versions`.`version` = `subscriptions`.`plan_version`) WHERE `currency` IS NULL;--> statement-breakpoint
UPDATE `customers` SET `currency` = (SELECT `subscriptions`.`currency` FROM `subscriptions` WHERE `subscriptions`.`customer_id` = `customers`.`id` ORDER BY `subscriptions`.`id` LIMIT 1) WHERE `currency` IS NULL;
