-- MLMD schema 5 -> 6 (SQLite): parent types and parent contexts; types get a
-- version and a description (Type is rebuilt, ids kept); and the first
-- secondary indexes: artifact uri and times, event ends, parent context,
-- type name, execution and context times.

CREATE TABLE IF NOT EXISTS `ParentType` (
  `type_id` INT NOT NULL,
  `parent_type_id` INT NOT NULL,
  PRIMARY KEY (`type_id`, `parent_type_id`)
);
CREATE TABLE IF NOT EXISTS `ParentContext` (
  `context_id` INT NOT NULL,
  `parent_context_id` INT NOT NULL,
  PRIMARY KEY (`context_id`, `parent_context_id`)
);

CREATE TABLE `TypeTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `name` VARCHAR(255) NOT NULL,
  `version` VARCHAR(255),
  `type_kind` TINYINT(1) NOT NULL,
  `description` TEXT,
  `input_type` TEXT,
  `output_type` TEXT
);
INSERT INTO `TypeTemp`(`id`, `name`, `type_kind`, `input_type`, `output_type`)
  SELECT `id`, `name`, `type_kind`, `input_type`, `output_type` FROM `Type`;
DELETE FROM sqlite_sequence WHERE name = 'TypeTemp';
UPDATE sqlite_sequence SET name = 'TypeTemp' WHERE name = 'Type';
DROP TABLE `Type`;
ALTER TABLE `TypeTemp` RENAME TO `Type`;

CREATE INDEX IF NOT EXISTS `idx_artifact_uri` ON `Artifact`(`uri`);
CREATE INDEX IF NOT EXISTS `idx_artifact_create_time_since_epoch`
  ON `Artifact`(`create_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_artifact_last_update_time_since_epoch`
  ON `Artifact`(`last_update_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_event_artifact_id` ON `Event`(`artifact_id`);
CREATE INDEX IF NOT EXISTS `idx_event_execution_id` ON `Event`(`execution_id`);
CREATE INDEX IF NOT EXISTS `idx_parentcontext_parent_context_id`
  ON `ParentContext`(`parent_context_id`);
CREATE INDEX IF NOT EXISTS `idx_type_name` ON `Type`(`name`);
CREATE INDEX IF NOT EXISTS `idx_execution_create_time_since_epoch`
  ON `Execution`(`create_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_execution_last_update_time_since_epoch`
  ON `Execution`(`last_update_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_context_create_time_since_epoch`
  ON `Context`(`create_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_context_last_update_time_since_epoch`
  ON `Context`(`last_update_time_since_epoch`);
