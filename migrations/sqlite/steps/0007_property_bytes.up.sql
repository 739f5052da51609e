-- MLMD schema 6 -> 7 (SQLite): a byte_value column on the property tables
-- (MLMD never writes it) and an index on EventPath(event_id) for event
-- reads.

ALTER TABLE `ArtifactProperty` ADD COLUMN `byte_value` BLOB;
ALTER TABLE `ExecutionProperty` ADD COLUMN `byte_value` BLOB;
ALTER TABLE `ContextProperty` ADD COLUMN `byte_value` BLOB;
CREATE INDEX IF NOT EXISTS `idx_eventpath_event_id` ON `EventPath`(`event_id`);
