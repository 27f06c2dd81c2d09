ALTER TABLE `subscription_entitlements` ADD `meter` text;--> statement-breakpoint
ALTER TABLE `subscription_entitlements` ADD `dimensions` text;