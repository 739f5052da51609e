-- MLMD schema 8 -> 9 (SQLite): an external_id (unique, NULL allowed
-- repeatedly) on Type, Artifact, Execution and Context, after name as in a
-- fresh database. The four tables are rebuilt with their ids; the rebuild
-- drops their secondary indexes, which are created again, with one index
-- per external_id.

CREATE TABLE `TypeTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `name` VARCHAR(255) NOT NULL,
  `version` VARCHAR(255),
  `type_kind` TINYINT(1) NOT NULL,
  `description` TEXT,
  `input_type` TEXT,
  `output_type` TEXT,
  `external_id` VARCHAR(255) UNIQUE
);
INSERT INTO `TypeTemp`(
    `id`, `name`, `version`, `type_kind`, `description`, `input_type`,
    `output_type`)
  SELECT `id`, `name`, `version`, `type_kind`, `description`, `input_type`,
         `output_type`
  FROM `Type`;
DELETE FROM sqlite_sequence WHERE name = 'TypeTemp';
UPDATE sqlite_sequence SET name = 'TypeTemp' WHERE name = 'Type';
DROP TABLE `Type`;
ALTER TABLE `TypeTemp` RENAME TO `Type`;

CREATE TABLE `ArtifactTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL,
  `uri` TEXT,
  `state` INT,
  `name` VARCHAR(255),
  `external_id` VARCHAR(255) UNIQUE,
  `create_time_since_epoch` INT NOT NULL DEFAULT 0,
  `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,
  UNIQUE(`type_id`, `name`)
);
INSERT INTO `ArtifactTemp`(
    `id`, `type_id`, `uri`, `state`, `name`, `create_time_since_epoch`,
    `last_update_time_since_epoch`)
  SELECT `id`, `type_id`, `uri`, `state`, `name`, `create_time_since_epoch`,
         `last_update_time_since_epoch`
  FROM `Artifact`;
DELETE FROM sqlite_sequence WHERE name = 'ArtifactTemp';
UPDATE sqlite_sequence SET name = 'ArtifactTemp' WHERE name = 'Artifact';
DROP TABLE `Artifact`;
ALTER TABLE `ArtifactTemp` RENAME TO `Artifact`;

CREATE TABLE `ExecutionTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL,
  `last_known_state` INT,
  `name` VARCHAR(255),
  `external_id` VARCHAR(255) UNIQUE,
  `create_time_since_epoch` INT NOT NULL DEFAULT 0,
  `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,
  UNIQUE(`type_id`, `name`)
);
INSERT INTO `ExecutionTemp`(
    `id`, `type_id`, `last_known_state`, `name`, `create_time_since_epoch`,
    `last_update_time_since_epoch`)
  SELECT `id`, `type_id`, `last_known_state`, `name`,
         `create_time_since_epoch`, `last_update_time_since_epoch`
  FROM `Execution`;
DELETE FROM sqlite_sequence WHERE name = 'ExecutionTemp';
UPDATE sqlite_sequence SET name = 'ExecutionTemp' WHERE name = 'Execution';
DROP TABLE `Execution`;
ALTER TABLE `ExecutionTemp` RENAME TO `Execution`;

CREATE TABLE `ContextTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `external_id` VARCHAR(255) UNIQUE,
  `create_time_since_epoch` INT NOT NULL DEFAULT 0,
  `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,
  UNIQUE(`type_id`, `name`)
);
INSERT INTO `ContextTemp`(
    `id`, `type_id`, `name`, `create_time_since_epoch`,
    `last_update_time_since_epoch`)
  SELECT `id`, `type_id`, `name`, `create_time_since_epoch`,
         `last_update_time_since_epoch`
  FROM `Context`;
DELETE FROM sqlite_sequence WHERE name = 'ContextTemp';
UPDATE sqlite_sequence SET name = 'ContextTemp' WHERE name = 'Context';
DROP TABLE `Context`;
ALTER TABLE `ContextTemp` RENAME TO `Context`;

CREATE INDEX IF NOT EXISTS `idx_artifact_uri` ON `Artifact`(`uri`);
CREATE INDEX IF NOT EXISTS `idx_artifact_create_time_since_epoch`
  ON `Artifact`(`create_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_artifact_last_update_time_since_epoch`
  ON `Artifact`(`last_update_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_type_name` ON `Type`(`name`);
CREATE INDEX IF NOT EXISTS `idx_execution_create_time_since_epoch`
  ON `Execution`(`create_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_execution_last_update_time_since_epoch`
  ON `Execution`(`last_update_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_context_create_time_since_epoch`
  ON `Context`(`create_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_context_last_update_time_since_epoch`
  ON `Context`(`last_update_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_type_external_id` ON `Type`(`external_id`);
CREATE INDEX IF NOT EXISTS `idx_artifact_external_id`
  ON `Artifact`(`external_id`);
CREATE INDEX IF NOT EXISTS `idx_execution_external_id`
  ON `Execution`(`external_id`);
CREATE INDEX IF NOT EXISTS `idx_context_external_id`
  ON `Context`(`external_id`);
