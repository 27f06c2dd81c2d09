-- The built-in meter every database has: the AI tokens the platform has always priced, summed
-- from each usage record's `tokens`, by model and by kind of token (input, output, cached).
-- Its id and times are fixed so every database holds the same row; it cannot be changed or archived.
INSERT INTO `meters` (`id`, `code`, `name`, `description`, `aggregation`, `value_property`, `group_by`, `status`, `built_in`, `archived_at`, `created_at`, `updated_at`)
VALUES ('mtr_01M96WSP000000000000000000', 'ai_tokens', 'AI tokens', 'Tokens consumed by AI models, by model and by kind of token (input, output, cached).', 'sum', 'tokens', '["model","token_type"]', 'active', 1, NULL, 1796601600000, 1796601600000);
