DROP INDEX `outbox_unpublished`;--> statement-breakpoint
CREATE INDEX `outbox_unpublished_rowid` ON `outbox` (`published_at`) WHERE published_at IS NULL;