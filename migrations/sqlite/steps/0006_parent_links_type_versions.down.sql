-- MLMD schema 6 -> 5 (SQLite): parent types and parent contexts are
-- dropped, types lose version and description (Type is rebuilt, ids kept;
-- that also drops idx_type_name), and the other version-6 indexes go.

DROP TABLE IF EXISTS `ParentType`;
DROP TABLE IF EXISTS `ParentContext`;

CREATE TABLE `TypeTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `name` VARCHAR(255) NOT NULL,
  `type_kind` TINYINT(1) NOT NULL,
  `input_type` TEXT,
  `output_type` TEXT
);
INSERT INTO `TypeTemp`(`id`, `name`, `type_kind`, `input_type`, `output_type`)
  SELECT `id`, `name`, `type_kind`, `input_type`, `output_type` FROM `Type`;
DELETE FROM sqlite_sequence WHERE name = 'TypeTemp';
UPDATE sqlite_sequence SET name = 'TypeTemp' WHERE name = 'Type';
DROP TABLE `Type`;
ALTER TABLE `TypeTemp` RENAME TO `Type`;

DROP INDEX IF EXISTS `idx_artifact_uri`;
DROP INDEX IF EXISTS `idx_artifact_create_time_since_epoch`;
DROP INDEX IF EXISTS `idx_artifact_last_update_time_since_epoch`;
DROP INDEX IF EXISTS `idx_event_artifact_id`;
DROP INDEX IF EXISTS `idx_event_execution_id`;
DROP INDEX IF EXISTS `idx_execution_create_time_since_epoch`;
DROP INDEX IF EXISTS `idx_execution_last_update_time_since_epoch`;
DROP INDEX IF EXISTS `idx_context_create_time_since_epoch`;
DROP INDEX IF EXISTS `idx_context_last_update_time_since_epoch`;
