-- Text search over customers' names and emails: an FTS5 index of trigrams kept beside the table
-- (external content: the text stays in customers), so `q=` finds a substring without scanning every row.
CREATE VIRTUAL TABLE `customers_search` USING fts5(`name`, `email`, content='customers', content_rowid='rowid', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER `customers_search_insert` AFTER INSERT ON `customers` BEGIN
  INSERT INTO `customers_search` (rowid, `name`, `email`) VALUES (new.rowid, new.`name`, new.`email`);
END;
--> statement-breakpoint
CREATE TRIGGER `customers_search_delete` AFTER DELETE ON `customers` BEGIN
  INSERT INTO `customers_search` (`customers_search`, rowid, `name`, `email`) VALUES ('delete', old.rowid, old.`name`, old.`email`);
END;
--> statement-breakpoint
CREATE TRIGGER `customers_search_update` AFTER UPDATE OF `name`, `email` ON `customers` BEGIN
  INSERT INTO `customers_search` (`customers_search`, rowid, `name`, `email`) VALUES ('delete', old.rowid, old.`name`, old.`email`);
  INSERT INTO `customers_search` (rowid, `name`, `email`) VALUES (new.rowid, new.`name`, new.`email`);
END;
--> statement-breakpoint
INSERT INTO `customers_search` (`customers_search`) VALUES ('rebuild');
